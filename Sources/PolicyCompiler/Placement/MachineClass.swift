/// What placement needs to know about a machine to choose its host: its constraints and
/// its size. Machines with equal classes (the members of a cluster, typically) have the
/// same eligible hosts, so eligibility is computed once per class.
struct MachineClass: Hashable {
    /// Communities that must all trust the host (the vpxi's and the machine's).
    var trustedBy: [Int]
    var hypervisors: [Hypervisor]
    var sites: [String]
    /// For each user granted rights on the machine (directly or via), the communities
    /// the user is a member of: the host must be trusted by at least one of each.
    var userCommunities: [[Int]]
    /// The window the host must be registered for, the whole of it.
    var window: TimeWindow
    var cpus: Int
    var memoryBytes: Int64
    var diskBytes: Int64

    /// Whether a host may hold machines of this class, leaving capacity aside.
    func admits(_ host: PolicyModel.Host) -> Bool {
        failedConstraint(host) == nil
    }

    /// The constraints, in the order failures are reported.
    enum Constraint: Int, CaseIterable {
        case registration, hypervisor, site, trust, userTrust, size
    }

    /// The first constraint `host` does not meet (sizes against its whole capacity).
    func failedConstraint(_ host: PolicyModel.Host) -> Constraint? {
        guard let registration = host.registration, registration.covers(window) else { return .registration }
        if !hypervisors.isEmpty { guard let hypervisor = host.hypervisor, hypervisors.contains(hypervisor) else { return .hypervisor } }
        if !sites.isEmpty { guard let site = host.site, sites.contains(site) else { return .site } }
        for community in trustedBy where !host.trustedBy.contains(community) { return .trust }
        for communities in userCommunities where !communities.contains(where: host.trustedBy.contains) { return .userTrust }
        if host.cpus < cpus || host.memoryBytes < memoryBytes || host.diskBytes < diskBytes { return .size }
        return nil
    }
}
