import RSA
import Synchronization

/// The hypervisor files of VMs (`vms/NAME.xml`, `vms/NAME.volume.xml`, `vms/NAME.cfg`)
/// kept between builds: they depend on the VM, its host and VPXI and nothing that changes
/// from one epoch to the next (no time, no keys but the VM's own, no logins), so a caller
/// that builds the same VMs' bundles again (the registrar, at every renewal of a vpxi) is
/// given the same bytes without making them again. Each VM's files are kept with exactly
/// what they were made from (`Inputs`, compared in full, not hashed), so a changed VM, host
/// or bridge makes them afresh. At most `limit` VMs are kept (the oldest entries make room).
public final class VMFileCache: Sendable {
    /// Everything `VMConfigs` reads for one VM.
    struct Inputs: Equatable {
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

    struct State {
        var entries: [String: (inputs: Inputs, files: [BundleFile])] = [:]
        var order: [String] = []
        var hits = 0
        var misses = 0
    }

    private let state = Mutex(State())
    /// The most VMs kept.
    public let limit: Int

    public init(limit: Int = 256) {
        self.limit = max(0, limit)
    }

    /// How many builds found their VM's files here, and how many made them.
    public var statistics: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }

    /// The files of VM `index`: kept ones when made from the same inputs, else `make()`'s.
    func files(vm index: Int, resolved: ResolvedPlan, make: () -> [BundleFile]) -> [BundleFile] {
        let inputs = Inputs(vm: index, resolved: resolved)
        let found: [BundleFile]? = state.withLock { state in
            guard let entry = state.entries[inputs.name], entry.inputs == inputs else { return nil }
            state.hits += 1
            return entry.files
        }
        if let found { return found }
        let made = make()
        state.withLock { state in
            state.misses += 1
            guard limit > 0 else { return }
            if state.entries.updateValue((inputs, made), forKey: inputs.name) == nil {
                state.order.append(inputs.name)
                if state.order.count > limit {
                    state.entries[state.order.removeFirst()] = nil
                }
            }
        }
        return made
    }
}
