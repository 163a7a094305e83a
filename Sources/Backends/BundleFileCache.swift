import RSA
import SExpr
import Synchronization

/// The files of a bundle that no epoch changes, kept between builds: each VM's hypervisor
/// files (`vms/NAME.xml`, `vms/NAME.volume.xml`, `vms/NAME.cfg`) and each host's peer files
/// (`peers.sexp`, `hip/hosts`, `hip/known_host_identities.xml`, `hip/peers.zone`). They
/// depend on the VMs, their hosts, VPXIs and links, and on nothing that changes from one
/// epoch to the next (no time, no ESP keys, no logins), so a caller that builds the same
/// VMs' bundles again (the registrar, at every renewal of a vpxi) is given the same bytes
/// without making them again. Each entry is kept with exactly what it was made from
/// (`VMInputs`, `PeerInputs`, compared in full, not hashed), so a change to any of it makes
/// the files afresh. At most `limit` VMs and `limit` hosts are kept (the oldest make room).
public final class BundleFileCache: Sendable {
    /// Everything `VMConfigs` reads for one VM.
    struct VMInputs: Equatable, Sendable {
        var name: String
        var vpxi: String
        var publicKey: RSAPublicKey
        var cpus: Int
        var memoryBytes: UInt64
        var diskBytes: UInt64?
        var image: String?
        var images: String
        var hypervisor: BundlePlan.Hypervisor
        var defaultDiskBytes: UInt64
        var hit: HIT
        var lsi: LSI
        var overlayBridge: String?

        init(vm index: Int, resolved: ResolvedPlan) {
            let plan = resolved.plan
            let vm = plan.vms[index]
            let host = plan.hosts[resolved.host(of: index)]
            name = vm.name
            vpxi = vm.vpxi
            publicKey = vm.publicKey
            cpus = vm.cpus
            memoryBytes = vm.memoryBytes
            diskBytes = vm.diskBytes
            image = vm.image
            images = host.images
            hypervisor = host.hypervisor
            defaultDiskBytes = plan.defaultDiskBytes
            hit = resolved.hits[index]
            lsi = resolved.lsis[index]
            overlayBridge = resolved.vpxi(of: index).overlayBridge
        }
    }

    /// Everything `PeerTable.text` and `HIPExports` read for one host.
    struct PeerInputs: Equatable, Sendable {
        struct VM: Equatable, Sendable {
            var name: String
            var vpxi: String
            var host: String
            var publicKey: RSAPublicKey
            var publicKeySExpr: SExpr
            var hit: HIT
            var lsi: LSI
            var locators: [IPAddress]
            var linkedFrom: [String]
        }

        var host: String
        var hitVersion: ORCHIDVersion
        var locals: [VM]
        var peers: [VM]

        init(_ table: PeerTable, resolved: ResolvedPlan) {
            func vm(_ index: Int, linkedFrom: [String]) -> VM {
                let value = resolved.plan.vms[index]
                return VM(name: value.name, vpxi: value.vpxi, host: value.host, publicKey: value.publicKey, publicKeySExpr: value.publicKeySExpr,
                          hit: resolved.hits[index], lsi: resolved.lsis[index], locators: resolved.locators[resolved.host(of: index)],
                          linkedFrom: linkedFrom)
            }
            host = resolved.plan.hosts[table.host].name
            hitVersion = resolved.plan.hitVersion
            locals = table.locals.map { vm($0, linkedFrom: []) }
            peers = table.peers.map { vm($0.vm, linkedFrom: $0.linkedFrom) }
        }
    }

    /// Files by name (of a VM or a host), each with what they were made from.
    struct Kept<Inputs: Equatable & Sendable>: Sendable {
        var entries: [String: (inputs: Inputs, files: [BundleFile])] = [:]
        var order: [String] = []

        func find(_ name: String, _ inputs: Inputs) -> [BundleFile]? {
            guard let entry = entries[name], entry.inputs == inputs else { return nil }
            return entry.files
        }

        mutating func keep(_ name: String, _ inputs: Inputs, _ files: [BundleFile], limit: Int) {
            guard limit > 0 else { return }
            if entries.updateValue((inputs, files), forKey: name) == nil {
                order.append(name)
                if order.count > limit { entries[order.removeFirst()] = nil }
            }
        }
    }

    struct State: Sendable {
        var vms = Kept<VMInputs>()
        var peers = Kept<PeerInputs>()
        var hits = 0
        var misses = 0
    }

    private let state = Mutex(State())
    /// The most VMs, and the most hosts, kept.
    public let limit: Int

    public init(limit: Int = 256) {
        self.limit = max(0, limit)
    }

    /// How many lookups found their files here, and how many made them.
    public var statistics: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }

    /// The hypervisor files of VM `index`: kept ones when made from the same inputs, else
    /// `make()`'s.
    func vmFiles(_ index: Int, resolved: ResolvedPlan, make: () -> [BundleFile]) -> [BundleFile] {
        files(\.vms, name: resolved.plan.vms[index].name, inputs: VMInputs(vm: index, resolved: resolved), make: make)
    }

    /// The peer files of the host of `table`: kept ones when made from the same inputs,
    /// else `make()`'s.
    func peerFiles(_ table: PeerTable, resolved: ResolvedPlan, make: () -> [BundleFile]) -> [BundleFile] {
        files(\.peers, name: resolved.plan.hosts[table.host].name, inputs: PeerInputs(table, resolved: resolved), make: make)
    }

    private func files<Inputs>(_ kept: WritableKeyPath<State, Kept<Inputs>>, name: String, inputs: Inputs,
                               make: () -> [BundleFile]) -> [BundleFile] {
        let found: [BundleFile]? = state.withLock { state in
            guard let files = state[keyPath: kept].find(name, inputs) else { return nil }
            state.hits += 1
            return files
        }
        if let found { return found }
        let made = make()
        state.withLock { state in
            state.misses += 1
            state[keyPath: kept].keep(name, inputs, made, limit: limit)
        }
        return made
    }
}
