/// The compiled infrastructure: the resolved policy, where each machine runs, and every
/// key by name. What certificate planning starts from, and what the back ends (HIP peer
/// tables, ESP schedules, libvirt and Xen configs) read:
///
/// - placement: `host(vpxi:machine:)`, `machines(onHost:)`;
/// - keys: `key(of:)` for registrars, users, machines and (when the key store has them)
///   hosts, by `PrincipalName`;
/// - links with their attributes: `model.vpxis[v].links` (bandwidth, latency, protection;
///   one entry per pair of machines);
/// - renewal epochs: `schedule(vpxi:)`, aligned with certificate renewal.
public struct InfrastructureIR: Sendable {
    public let model: PolicyModel
    public let placement: Placement
    public let keys: ResolvedKeys

    public init(model: PolicyModel, placement: Placement, keys: ResolvedKeys) {
        self.model = model
        self.placement = placement
        self.keys = keys
    }

    /// The host machine `machine` of vpxi `vpxi` runs on.
    public func host(vpxi: Int, machine: Int) -> PolicyModel.Host {
        model.hosts[placement.hosts[vpxi][machine]]
    }

    /// The (vpxi, machine) pairs placed on a host.
    public func machines(onHost host: Int) -> [(vpxi: Int, machine: Int)] { placement.machines(onHost: host) }

    /// The public key of a machine.
    public func machineKey(vpxi: Int, machine: Int) -> PublicKeyInfo { keys.machines[vpxi][machine] }

    /// The renewal epochs of a vpxi.
    public func schedule(vpxi: Int) -> RenewalSchedule { model.vpxis[vpxi].schedule }

    /// The public key of any principal, by name (hosts only when the key store has theirs).
    public func key(of name: PrincipalName) -> PublicKeyInfo? {
        switch name {
        case .registrar(let name): return model.registrar(named: name).map { model.registrars[$0].key }
        case .user(let name): return model.user(named: name).map { model.users[$0].key }
        case .host(let name): return model.host(named: name).flatMap { keys.hosts[$0] }
        case .machine(let vpxi, let machine):
            guard let v = model.vpxi(named: vpxi), let m = model.vpxis[v].machine(named: machine) else { return nil }
            return keys.machines[v][m]
        }
    }
}
