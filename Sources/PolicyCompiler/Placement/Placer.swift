import Diagnostics

/// Places the machines of every vpxi on hosts of the pool.
///
/// A host may hold a machine when it meets every constraint: registered (with any
/// registrar) for the whole window; the required hypervisor and site; trusted by every
/// community the vpxi and the machine require, and by a community of each user granted
/// rights on the machine; enough free cpus, memory and disk; and, where hosts declare
/// their bandwidth, enough of it left for the links to machines already placed on other
/// hosts. Latency bounds are kept for the back ends: the pool language declares no
/// latencies to check them against. Finally the vpxi's cost (the sum of its machines'
/// hosts' costs) must not exceed its `max-cost`.
///
/// The algorithm is first fit, deterministic: vpxis in declaration order share the
/// pool; machines go in declaration order to the first host, by (cost, declaration
/// order), that can hold them. Eligibility is computed once per machine class and a
/// cursor per class skips hosts found full, so the cost is about O(machines + classes ×
/// hosts) plus the links. When a machine cannot be placed, the others still are (the best
/// partial placement) and a diagnostic names the constraint that failed and by how much.
public struct Placer {
    let model: PolicyModel
    var freeCPUs: [Int]
    var freeMemory: [Int64]
    var freeDisk: [Int64]
    /// Bits per second left; nil for hosts that do not declare their bandwidth.
    var freeBandwidth: [Double?]

    init(model: PolicyModel) {
        self.model = model
        freeCPUs = model.hosts.map(\.cpus)
        freeMemory = model.hosts.map(\.memoryBytes)
        freeDisk = model.hosts.map(\.diskBytes)
        freeBandwidth = model.hosts.map(\.bandwidthBitsPerSecond)
    }

    /// Places every vpxi of `model`.
    public static func place(_ model: PolicyModel) -> Placement {
        var placer = Placer(model: model)
        var placement = Placement(hosts: [], costPerHour: [], diagnostics: [])
        for index in model.vpxis.indices {
            let (hosts, cost, diagnostics) = placer.place(vpxi: index)
            placement.hosts.append(hosts)
            placement.costPerHour.append(cost)
            placement.diagnostics += diagnostics
        }
        return placement
    }

    /// The class of each machine of a vpxi.
    func classes(of vpxi: PolicyModel.VPXI) -> [MachineClass] {
        var users = [[Int]](repeating: [], count: vpxi.machines.count)
        for grant in vpxi.grants {
            for target in grant.targets where !users[target].contains(grant.user) { users[target].append(grant.user) }
        }
        return vpxi.machines.enumerated().map { index, machine in
            let communities = Set(users[index].map { model.users[$0].communities.sorted() }.filter { !$0.isEmpty })
            return MachineClass(
                trustedBy: machine.requirements.trustedBy.sorted(), hypervisors: machine.requirements.hypervisors.sorted { $0.rawValue < $1.rawValue },
                sites: machine.requirements.sites.sorted(), userCommunities: communities.sorted { $0.lexicographicallyPrecedes($1) },
                window: vpxi.window, cpus: machine.cpus, memoryBytes: machine.memoryBytes, diskBytes: machine.diskBytes)
        }
    }

    mutating func place(vpxi index: Int) -> ([Int], Double, [Diagnostic]) {
        let vpxi = model.vpxis[index]
        let classes = classes(of: vpxi)
        var candidates: [MachineClass: [Int]] = [:]
        var cursors: [MachineClass: Int] = [:]
        var adjacency = [[(peer: Int, bandwidth: Double)]](repeating: [], count: vpxi.machines.count)
        for link in vpxi.links {
            guard let bandwidth = link.bandwidthBitsPerSecond, bandwidth > 0 else { continue }
            adjacency[link.from].append((link.to, bandwidth))
            adjacency[link.to].append((link.from, bandwidth))
        }
        var assignment = [Int](repeating: Placement.unplaced, count: vpxi.machines.count)
        var failures: [MachineClass: [Int]] = [:]
        var failureOrder: [MachineClass] = []
        for (machine, machineClass) in classes.enumerated() {
            if candidates[machineClass] == nil {
                candidates[machineClass] = model.hosts.indices.filter { machineClass.admits(model.hosts[$0]) }
                    .sorted { (model.hosts[$0].costPerHour, $0) < (model.hosts[$1].costPerHour, $1) }
                cursors[machineClass] = 0
            }
            let list = candidates[machineClass]!
            var position = cursors[machineClass]!
            var placed = false
            var atCursor = true
            while position < list.count {
                let host = list[position]
                if fits(machineClass, on: host) {
                    if let needs = bandwidthNeeds(machine, on: host, adjacency: adjacency, assignment: assignment) {
                        take(machineClass, on: host, needs: needs)
                        assignment[machine] = host
                        placed = true
                        break
                    }
                    atCursor = false  // only bandwidth stood in the way: the host may fit another machine
                } else if atCursor {
                    cursors[machineClass] = position + 1
                }
                position += 1
            }
            if !placed {
                if failures[machineClass] == nil { failureOrder.append(machineClass) }
                failures[machineClass, default: []].append(machine)
            }
        }
        var diagnostics: [Diagnostic] = []
        let explainer = PlacementExplainer(model: model, vpxi: vpxi, placer: self, assignment: assignment)
        for machineClass in failureOrder {
            diagnostics.append(explainer.failure(machines: failures[machineClass]!, machineClass: machineClass,
                                                 candidates: candidates[machineClass]!, adjacency: adjacency))
        }
        let cost = assignment.reduce(0.0) { $0 + ($1 == Placement.unplaced ? 0 : model.hosts[$1].costPerHour) }
        if diagnostics.isEmpty, let limit = vpxi.maxCostPerHour, cost > limit + 1e-9 {
            diagnostics.append(explainer.costExceeded(cost: cost, limit: limit))
        }
        return (assignment, cost, diagnostics)
    }

    func fits(_ machineClass: MachineClass, on host: Int) -> Bool {
        freeCPUs[host] >= machineClass.cpus && freeMemory[host] >= machineClass.memoryBytes && freeDisk[host] >= machineClass.diskBytes
    }

    /// The bandwidth the machine's links to machines already placed would take on each
    /// host, or nil when a host that declares its bandwidth has not enough left.
    func bandwidthNeeds(_ machine: Int, on host: Int, adjacency: [[(peer: Int, bandwidth: Double)]], assignment: [Int]) -> [(Int, Double)]? {
        var needs: [(Int, Double)] = []
        var own = 0.0
        for (peer, bandwidth) in adjacency[machine] {
            let peerHost = assignment[peer]
            guard peerHost != Placement.unplaced, peerHost != host else { continue }
            own += bandwidth
            needs.append((peerHost, bandwidth))
        }
        guard own > 0 else { return [] }
        if let free = freeBandwidth[host], free + 1e-6 < own { return nil }
        var byHost: [Int: Double] = [:]
        for (peerHost, bandwidth) in needs { byHost[peerHost, default: 0] += bandwidth }
        for (peerHost, total) in byHost {
            if let free = freeBandwidth[peerHost], free + 1e-6 < total { return nil }
        }
        return [(host, own)] + byHost.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    mutating func take(_ machineClass: MachineClass, on host: Int, needs: [(Int, Double)]) {
        freeCPUs[host] -= machineClass.cpus
        freeMemory[host] -= machineClass.memoryBytes
        freeDisk[host] -= machineClass.diskBytes
        for (index, bandwidth) in needs {
            if let free = freeBandwidth[index] { freeBandwidth[index] = free - bandwidth }
        }
    }
}
