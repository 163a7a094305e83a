import Hashing
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
/// It also keeps the last plan's checked registrars, hosts, VPXIs, VMs and links
/// (`ResolvedPlan.Base`), so that only the logins are checked at each epoch, the ESP files
/// of hosts with no link end, the SHA-256 of each file it hands out (for the manifest), and
/// each host's last `authorized.sexp` with its atoms' offsets, patched at the next epoch.
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

    /// Files by name (of a VM or a host), each with what they were made from: the inputs,
    /// and the checked plan (`ResolvedPlan.Base.token`) and `extra` value they were read
    /// from, when they all come from those (then a plan resolved from that same kept base,
    /// with the same `extra`, has the same inputs for the same name: found without
    /// gathering its inputs).
    struct Kept<Inputs: Equatable & Sendable>: Sendable {
        struct Entry: Sendable {
            var inputs: Inputs
            var files: [BundleFile]
            var base: ResolvedPlan.Base.Token?
            var extra: UInt64
        }

        var entries: [String: Entry] = [:]
        var order: [String] = []

        func find(_ name: String, _ inputs: Inputs) -> [BundleFile]? {
            guard let entry = entries[name], entry.inputs == inputs else { return nil }
            return entry.files
        }

        /// The files kept for `name` when they were made under `base` with `extra`.
        func find(_ name: String, base: ResolvedPlan.Base.Token, extra: UInt64) -> [BundleFile]? {
            guard let entry = entries[name], entry.base === base, entry.extra == extra else { return nil }
            return entry.files
        }

        mutating func keep(_ name: String, _ inputs: Inputs, _ files: [BundleFile], limit: Int,
                           base: ResolvedPlan.Base.Token? = nil, extra: UInt64 = 0) {
            guard limit > 0 else { return }
            if entries.updateValue(Entry(inputs: inputs, files: files, base: base, extra: extra), forKey: name) == nil {
                order.append(name)
                if order.count > limit { entries[order.removeFirst()] = nil }
            }
        }
    }

    /// A file's bytes and their SHA-256.
    struct Digest: Sendable {
        var bytes: [UInt8]
        var sha256: [UInt8]
    }

    struct State: Sendable {
        var vms = Kept<VMInputs>()
        var peers = Kept<PeerInputs>()
        /// `esp.sexp` and `esp/xfrm.sh` of hosts with no link end, by host name.
        var linkless = Kept<String>()
        /// The last plan's checked part (`ResolvedPlan.Base`), kept with its arrays.
        var base: ResolvedPlan.Base?
        /// The SSH key lines of the last plan's logins, checked (`ResolvedPlan.init(_:base:checkedKeys:)`).
        var checkedKeys: [String] = []
        /// The last SHA-256 of each file of each host, in the order given, kept with the bytes hashed.
        var digests: [String: [Digest]] = [:]
        /// Each host's last `authorized.sexp`, printed with its atoms' offsets, and its shape.
        var authorized: [String: AuthorizedFile.Kept] = [:]
        var patched = 0
        /// Of `patched`, those patched without building the document (`AuthorizedFile.patched`).
        var patchedInPlace = 0
        var laidOut = 0
        var hits = 0
        var misses = 0
        var baseHits = 0
        var baseMisses = 0
    }

    private let state = Mutex(State())
    /// The most VMs, and the most hosts, kept.
    public let limit: Int

    public init(limit: Int = 256) {
        self.limit = max(0, limit)
    }

    /// How many lookups found their files here, and how many made them.
    public var statistics: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }

    /// How many plans were resolved from the kept `ResolvedPlan.Base`, and how many in full.
    var planStatistics: (hits: Int, misses: Int) { state.withLock { ($0.baseHits, $0.baseMisses) } }

    /// How many `authorized.sexp` files were patched from the host's previous one, and how
    /// many laid out in full.
    var authorizedStatistics: (patched: Int, laidOut: Int) { state.withLock { ($0.patched, $0.laidOut) } }

    /// How many `authorized.sexp` files were patched from the host's previous one without
    /// building their document (counted in `authorizedStatistics.patched` too).
    var authorizedInPlace: Int { state.withLock { $0.patchedInPlace } }

    /// `authorized.sexp` of host `host` of `resolved`: the host's previous file with the
    /// atoms that changed rewritten in place when the layout cannot have changed (the same
    /// structure, each changed atom of the same printed width: from one epoch to the next
    /// only the dates, hashes and signatures change), else laid out afresh. When every
    /// input has the length it had, the previous document's buffer is rewritten and no
    /// document is built (`AuthorizedFile.patched`); else the document is built and printed
    /// by `AdvancedPrinter.printed(_:reusing:)`. The same bytes either way.
    func authorized(host: Int, resolved: ResolvedPlan) -> [UInt8] {
        let name = resolved.plan.hosts[host].name
        let previous = state.withLock { $0.authorized[name] }
        let kept: AuthorizedFile.Kept
        var inPlace = false
        if let previous, let patched = AuthorizedFile.patched(host: host, resolved: resolved, kept: previous) {
            kept = patched
            inPlace = true
        } else {
            let (document, shape) = AuthorizedFile.shapedDocument(host: host, resolved: resolved)
            kept = AuthorizedFile.Kept(printed: AdvancedPrinter(width: BundleBuilder.width).printed(document, reusing: previous?.printed),
                                       shape: shape)
        }
        state.withLock { state in
            if kept.printed.patched { state.patched += 1 } else { state.laidOut += 1 }
            if inPlace { state.patchedInPlace += 1 }
            guard limit > 0 else { return }
            if state.authorized.count >= limit, state.authorized[name] == nil { state.authorized.removeAll() }
            state.authorized[name] = kept
        }
        return kept.printed.bytes
    }

    /// `plan` resolved: its registrars, hosts, VPXIs, VMs and links checked once and kept
    /// while later plans hand over the same arrays (`ResolvedPlan.Base.fits`), its logins
    /// checked every time.
    func resolved(_ plan: BundlePlan) throws(BackendsError) -> ResolvedPlan {
        let (kept, checked): (ResolvedPlan.Base?, [String]) = state.withLock { state in
            guard let base = state.base, base.fits(plan) else { return (nil, []) }
            state.baseHits += 1
            return (base, state.checkedKeys)
        }
        let resolved: ResolvedPlan
        if let kept {
            resolved = try ResolvedPlan(plan, base: kept, checkedKeys: checked)
        } else {
            state.withLock { $0.baseMisses += 1 }
            let base = try ResolvedPlan.Base(plan)
            if limit > 0 { state.withLock { $0.base = base } }
            resolved = try ResolvedPlan(plan, base: base)
        }
        if limit > 0 {
            let keys = plan.logins.compactMap(\.sshPublicKey)
            state.withLock { $0.checkedKeys = keys }
        }
        return resolved
    }

    /// `esp.sexp` and `esp/xfrm.sh` of host `name` when it has no link end: they then
    /// hold the host's name and nothing else that varies (no SA, no key), so kept ones are
    /// the same bytes; else `make()`'s.
    func linklessFiles(host name: String, make: () throws(BackendsError) -> [BundleFile]) throws(BackendsError) -> [BundleFile] {
        let found: [BundleFile]? = state.withLock { state in
            guard let files = state.linkless.find(name, name) else { return nil }
            state.hits += 1
            return files
        }
        if let found { return found }
        let made = try make()
        state.withLock { state in
            state.misses += 1
            state.linkless.keep(name, name, made, limit: limit)
        }
        return made
    }

    /// The SHA-256 of each of `files` of host `host`: the kept digest of a file whose bytes
    /// are the very bytes hashed last time (the same storage, as the files kept here are
    /// handed out: `ResolvedPlan.Base.same`; a digest is of the bytes, whatever the path),
    /// looked for at the same place in the host's previous files first, else hashed; the
    /// host's digests kept for next time.
    func sha256s(_ files: [BundleFile], host: String) -> [[UInt8]] {
        let kept: [Digest] = state.withLock { $0.digests[host] ?? [] }
        var next: [Digest] = []
        next.reserveCapacity(files.count)
        for (index, file) in files.enumerated() {
            let found = index < kept.count && ResolvedPlan.Base.same(kept[index].bytes, file.bytes)
                ? kept[index] : kept.first { ResolvedPlan.Base.same($0.bytes, file.bytes) }
            next.append(found ?? Digest(bytes: file.bytes, sha256: HashAlgorithm.sha256.digest(file.bytes)))
        }
        state.withLock { state in
            guard limit > 0 else { return }
            if state.digests.count >= 4 * limit, state.digests[host] == nil { state.digests.removeAll() }
            state.digests[host] = next
        }
        return next.map(\.sha256)
    }

    /// The hypervisor files of VM `index`: kept ones when made from the same inputs, else
    /// `make()`'s. Their inputs are those of the resolved plan's base and its default disk
    /// size: under the same kept base and size, the kept files are found without gathering
    /// the inputs (`VMInputs`).
    func vmFiles(_ index: Int, resolved: ResolvedPlan, make: () -> [BundleFile]) -> [BundleFile] {
        files(\.vms, name: resolved.plan.vms[index].name, base: resolved.base.token, extra: resolved.plan.defaultDiskBytes,
              inputs: VMInputs(vm: index, resolved: resolved), make: make)
    }

    /// The peer files of host `host`: kept ones when made from the same inputs, else
    /// `make(table)`'s, with the host's `PeerTable`. Their inputs are those of the resolved
    /// plan's base alone (`PeerInputs`).
    func peerFiles(host: Int, resolved: ResolvedPlan, make: (PeerTable) -> [BundleFile]) -> [BundleFile] {
        var table: PeerTable?
        func peers() -> PeerTable {
            if let table { return table }
            let made = PeerTable(host: host, resolved: resolved)
            table = made
            return made
        }
        return files(\.peers, name: resolved.plan.hosts[host].name, base: resolved.base.token, extra: 0,
                     inputs: PeerInputs(peers(), resolved: resolved), make: { make(peers()) })
    }

    private func files<Inputs>(_ kept: WritableKeyPath<State, Kept<Inputs>>, name: String, base: ResolvedPlan.Base.Token, extra: UInt64,
                               inputs: @autoclosure () -> Inputs, make: () -> [BundleFile]) -> [BundleFile] {
        let found: [BundleFile]? = state.withLock { state in
            guard let files = state[keyPath: kept].find(name, base: base, extra: extra) else { return nil }
            state.hits += 1
            return files
        }
        if let found { return found }
        let inputs = inputs()
        let same: [BundleFile]? = state.withLock { state in
            guard let files = state[keyPath: kept].find(name, inputs) else { return nil }
            state.hits += 1
            // Found again under this base from now on.
            state[keyPath: kept].keep(name, inputs, files, limit: limit, base: base, extra: extra)
            return files
        }
        if let same { return same }
        let made = make()
        state.withLock { state in
            state.misses += 1
            state[keyPath: kept].keep(name, inputs, made, limit: limit, base: base, extra: extra)
        }
        return made
    }
}
