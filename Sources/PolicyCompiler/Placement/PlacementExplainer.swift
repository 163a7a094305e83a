import Diagnostics

/// Explains why placement failed: which constraint could not be met, by how much, and
/// the best partial placement found.
struct PlacementExplainer {
    let model: PolicyModel
    let vpxi: PolicyModel.VPXI
    let placer: Placer
    let assignment: [Int]

    /// The diagnostic for the machines of one class that could not be placed.
    func failure(machines: [Int], machineClass: MachineClass, candidates: [Int],
                 adjacency: [[(peer: Int, bandwidth: Double)]]) -> Diagnostic {
        let first = vpxi.machines[machines[0]]
        let what = machines.count == 1 ? "`\(first.name)`" : "\(machines.count) machines of `\(first.group)` (`\(first.name)` first)"
        let notes = [partialPlacement()]
        if candidates.isEmpty {
            let (constraint, message, breakdown) = noEligibleHost(machineClass)
            return SemanticError.noEligibleHost.diagnostic(
                "no host can hold \(what): \(message)", at: first.range, label: "cannot be placed",
                notes: breakdown.map { Diagnostic.Note($0) } + notes, help: help(for: constraint, machineClass))
        }
        // Eligible hosts exist, and are full: say what is missing, on the roomiest one.
        let roomiest = candidates.max { room($0) < room($1) }!
        let short = shortage(machineClass, on: roomiest)
        let reason: String
        let label: String
        if short.isEmpty {
            let (total, bottleneck) = bandwidthBottleneck(machines[0], machineClass, candidates: candidates, adjacency: adjacency)
            reason = "its links need \(Units.rate(total)) to machines already placed, and \(bottleneck)"
            label = "links need \(Units.rate(total))"
        } else {
            reason = "`\(first.name)` needs \(Self.join(short.map(\.needed))), and the roomiest, `\(model.hosts[roomiest].name)`, has \(Self.join(short.map(\.free))) free"
            label = "short of \(Self.join(short.map(\.missing)))"
        }
        return SemanticError.poolExhausted.diagnostic(
            "the \(candidates.count) host\(candidates.count == 1 ? "" : "s") that can hold \(what) \(candidates.count == 1 ? "is" : "are") full: \(reason)",
            at: first.range, label: label, notes: notes,
            help: "add hosts that meet its constraints, relax them, or make the machines smaller; \(machines.count) machine\(machines.count == 1 ? "" : "s") of this kind could not be placed")
    }

    /// What stops the links: the peer host, or the candidate, with the least bandwidth left.
    func bandwidthBottleneck(_ machine: Int, _ machineClass: MachineClass, candidates: [Int],
                             adjacency: [[(peer: Int, bandwidth: Double)]]) -> (Double, String) {
        var byHost: [Int: (need: Double, peers: [Int])] = [:]
        for (peer, bandwidth) in adjacency[machine] where assignment[peer] != Placement.unplaced {
            byHost[assignment[peer], default: (0, [])].need += bandwidth
            byHost[assignment[peer], default: (0, [])].peers.append(peer)
        }
        let total = byHost.values.reduce(0) { $0 + $1.need }
        for (host, entry) in byHost.sorted(by: { $0.key < $1.key }) {
            if let free = placer.freeBandwidth[host], free + 1e-6 < entry.need {
                let peer = vpxi.machines[entry.peers[0]].name
                return (total, "`\(model.hosts[host].name)`, which runs `\(peer)`, has \(Units.rate(free)) left of the \(Units.rate(entry.need)) they need")
            }
        }
        let most = candidates.filter { placer.fits(machineClass, on: $0) }.compactMap { placer.freeBandwidth[$0] }.max()
        return (total, "no eligible host with room has that bandwidth left" + (most.map { " (the most left is \(Units.rate($0)))" } ?? ""))
    }

    /// `2 cpus, 1 GiB of memory and 10 GiB of disk`, leaving out what is zero.
    static func size(_ c: MachineClass) -> String {
        var parts = ["\(c.cpus) cpu\(c.cpus == 1 ? "" : "s")"]
        if c.memoryBytes > 0 { parts.append("\(Units.size(c.memoryBytes)) of memory") }
        if c.diskBytes > 0 { parts.append("\(Units.size(c.diskBytes)) of disk") }
        return join(parts)
    }

    /// The cost ceiling is exceeded.
    func costExceeded(cost: Double, limit: Double) -> Diagnostic {
        var byHostCost: [Double: Int] = [:]
        for host in assignment where host != Placement.unplaced { byHostCost[model.hosts[host].costPerHour, default: 0] += 1 }
        let breakdown = byHostCost.sorted { $0.key < $1.key }
            .map { "\($0.value) machine\($0.value == 1 ? "" : "s") at \(Units.cost($0.key))" }.joined(separator: ", ")
        return SemanticError.costExceeded.diagnostic(
            "placing vpxi `\(vpxi.name)` costs \(Units.cost(cost)), \(Units.cost(cost - limit)) over its max-cost of \(Units.cost(limit))",
            at: vpxi.maxCostRange ?? vpxi.nameRange, label: "exceeded by \(Units.cost(cost - limit))",
            notes: [Diagnostic.Note("the cheapest placement found: \(breakdown)"), partialPlacement()],
            help: "raise `max-cost`, use fewer or smaller machines, or add cheaper hosts that meet the constraints")
    }

    /// The best partial placement, as a note.
    func partialPlacement() -> Diagnostic.Note {
        let placed = assignment.enumerated().filter { $0.element != Placement.unplaced }
        guard !placed.isEmpty else { return Diagnostic.Note("no machine of vpxi `\(vpxi.name)` could be placed") }
        let shown = placed.prefix(6).map { "`\(vpxi.machines[$0.offset].name)` on `\(model.hosts[$0.element].name)`" }
        let more = placed.count > shown.count ? ", ..." : ""
        return Diagnostic.Note("best placement found: \(placed.count) of \(assignment.count) machines placed: \(shown.joined(separator: ", "))\(more)")
    }

    /// The first constraint after which no host remains, a message, and how many hosts
    /// each constraint ruled out.
    func noEligibleHost(_ machineClass: MachineClass) -> (MachineClass.Constraint, String, [String]) {
        var remaining = Array(model.hosts.indices)
        var breakdown: [String] = []
        for constraint in MachineClass.Constraint.allCases {
            let kept = remaining.filter { host in
                guard let failed = machineClass.failedConstraint(model.hosts[host]) else { return true }
                return failed.rawValue > constraint.rawValue
            }
            if kept.count < remaining.count {
                breakdown.append("\(remaining.count - kept.count) of the \(remaining.count) hosts left are ruled out: \(describe(constraint, machineClass))")
            }
            if kept.isEmpty {
                var message = remaining.isEmpty ? "the pool has no hosts"
                    : "none of the \(remaining.count) host\(remaining.count == 1 ? "" : "s") left by the earlier constraints \(meets(constraint, machineClass))"
                if constraint == .size, !remaining.isEmpty {
                    let hosts = remaining.map { model.hosts[$0] }
                    message += " (the largest offer \(hosts.map(\.cpus).max()!) cpus, \(Units.size(hosts.map(\.memoryBytes).max()!)) of memory, \(Units.size(hosts.map(\.diskBytes).max()!)) of disk)"
                }
                return (constraint, message, breakdown)
            }
            remaining = kept
        }
        return (.size, "the pool has no hosts", breakdown)
    }

    func names(_ communities: [Int]) -> String {
        communities.map { "`\(model.communities[$0].name)`" }.joined(separator: ", ")
    }

    func describe(_ constraint: MachineClass.Constraint, _ c: MachineClass) -> String {
        switch constraint {
        case .registration: return "not registered for the whole window \(c.window)"
        case .hypervisor: return "not running \(c.hypervisors.map { "`\($0.rawValue)`" }.joined(separator: " or "))"
        case .site: return "not at site \(c.sites.map { "`\($0)`" }.joined(separator: " or "))"
        case .trust: return "not trusted by every one of \(names(c.trustedBy))"
        case .userTrust: return "not trusted by a community of every user granted rights on the machine"
        case .size: return "too small for \(Self.size(c))"
        }
    }

    func meets(_ constraint: MachineClass.Constraint, _ c: MachineClass) -> String {
        switch constraint {
        case .registration: return "is registered for the whole window \(c.window)"
        case .hypervisor: return "runs \(c.hypervisors.map { "`\($0.rawValue)`" }.joined(separator: " or "))"
        case .site: return "is at site \(c.sites.map { "`\($0)`" }.joined(separator: " or "))"
        case .trust: return "is trusted by every one of \(names(c.trustedBy))"
        case .userTrust:
            let sets = c.userCommunities.map { "one of \(names($0))" }.joined(separator: "; ")
            return "is trusted by a community of each user granted rights on it (\(sets))"
        case .size: return "is big enough for \(Self.size(c))"
        }
    }

    func help(for constraint: MachineClass.Constraint, _ c: MachineClass) -> String {
        switch constraint {
        case .registration: return "register hosts for the whole window (`registered-with R until ...`), or shorten the window"
        case .hypervisor: return "remove the hypervisor requirement, or add hosts that run it"
        case .site: return "remove the site requirement, or add hosts at the site"
        case .trust: return "require fewer communities, or have hosts trusted by all of them (`trusted-by ...`)"
        case .userTrust: return "grant the machine to users whose communities trust some hosts, or add `trusted-by` communities to hosts"
        case .size: return "make the machine smaller (cpus, memory, disk), or add bigger hosts"
        }
    }

    /// Free resources of a host, for choosing the roomiest.
    func room(_ host: Int) -> (Int, Int64, Int64) { (placer.freeCPUs[host], placer.freeMemory[host], placer.freeDisk[host]) }

    /// What the host lacks for the class.
    func shortage(_ c: MachineClass, on host: Int) -> [(needed: String, free: String, missing: String)] {
        var result: [(String, String, String)] = []
        if placer.freeCPUs[host] < c.cpus {
            result.append(("\(c.cpus) cpu\(c.cpus == 1 ? "" : "s")", "\(placer.freeCPUs[host])", "\(c.cpus - placer.freeCPUs[host]) cpu"))
        }
        if placer.freeMemory[host] < c.memoryBytes {
            result.append(("\(Units.size(c.memoryBytes)) of memory", Units.size(placer.freeMemory[host]), Units.size(c.memoryBytes - placer.freeMemory[host])))
        }
        if placer.freeDisk[host] < c.diskBytes {
            result.append(("\(Units.size(c.diskBytes)) of disk", Units.size(placer.freeDisk[host]), Units.size(c.diskBytes - placer.freeDisk[host])))
        }
        return result
    }

    static func join(_ parts: [String]) -> String {
        parts.count <= 1 ? (parts.first ?? "") : parts.dropLast().joined(separator: ", ") + " and " + parts.last!
    }
}
