#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Hashing
import RSA
import SExpr
import SPKI

/// A `BundlePlan` that has passed every check, with its lookups and derived identities:
/// HITs, plan-wide unique LSIs, parsed locators, and the VMs, links and logins of each host.
struct ResolvedPlan: Sendable {
    let plan: BundlePlan
    /// Everything but the logins (`Base`: the indices, locators, HITs, LSIs, each host's
    /// VMs and each VM's links), possibly kept from an earlier plan.
    let base: Base
    /// Login indices of each VM, sorted by user then expiry.
    let loginsOfVM: [[Int]]

    var hostIndex: [String: Int] { base.hostIndex }
    var vmIndex: [String: Int] { base.vmIndex }
    var vpxiIndex: [String: Int] { base.vpxiIndex }
    var registrarIndex: [String: Int] { base.registrarIndex }
    /// Parsed locators of each host, in the plan's order.
    var locators: [[IPAddress]] { base.locators }
    var hits: [HIT] { base.hits }
    /// `hits` as text.
    var hitTexts: [String] { base.hitTexts }
    var lsis: [LSI] { base.lsis }
    /// VM indices of each host, sorted by VM name.
    var vmsOfHost: [[Int]] { base.vmsOfHost }
    /// Link indices of each VM, sorted by peer name.
    var linksOfVM: [[Int]] { base.linksOfVM }

    /// Checks `plan` in full.
    init(_ plan: BundlePlan) throws(BackendsError) {
        try self.init(plan, base: Base(plan))
    }

    /// Checks the logins of `plan` and takes the rest from `base`, which must have been
    /// made from the same registrars, hosts, VPXIs, VMs, links and HIT version
    /// (`Base.fits`). An SSH key line equal to the one at the same place in `checkedKeys`
    /// (the key lines of a plan checked before, in order) is not checked again.
    init(_ plan: BundlePlan, base: Base, checkedKeys: [String] = []) throws(BackendsError) {
        self.plan = plan
        self.base = base
        let vmIndex = base.vmIndex

        var loginsOfVM = Array(repeating: [Int](), count: plan.vms.count)
        var keyIndex = 0
        for (index, login) in plan.logins.enumerated() {
            guard let vm = vmIndex[login.vm] else {
                throw BackendsError(.unknownVM, "a login of `\(login.user)` names the VM `\(login.vm)`, which is not in the plan")
            }
            guard PlanText.isLine(login.user, limit: 256), !Self.hasSpace(login.user) else {
                throw BackendsError(.invalidText, "the user name of a login on `\(login.vm)` is empty, has spaces or control characters")
            }
            if let key = login.sshPublicKey {
                defer { keyIndex += 1 }
                let checked = keyIndex < checkedKeys.count && Self.sameBytes(checkedKeys[keyIndex], key)
                guard checked || PlanText.isSSHPublicKey(key) else {
                    throw BackendsError(.invalidSSHKey, "the SSH key of `\(login.user)` on `\(login.vm)` is not one OpenSSH public key line",
                                        help: "give `TYPE BASE64 [COMMENT]` on one line, without options")
                }
            }
            if let start = login.notBefore, start >= login.expires {
                throw BackendsError(.invalidWindow, "the login of `\(login.user)` on `\(login.vm)` expires (\(login.expires)) before it starts (\(start))")
            }
            loginsOfVM[vm].append(index)
        }
        self.loginsOfVM = loginsOfVM.map {
            $0.sorted {
                let (l, r) = (plan.logins[$0], plan.logins[$1])
                return (l.user, l.expires.secondsSinceEpoch, $0) < (r.user, r.expires.secondsSinceEpoch, $1)
            }
        }
    }

    /// Whether two strings have the same UTF-8 bytes (not merely canonically equivalent
    /// characters, which `==` compares).
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        var (a, b) = (a, b)
        return a.withUTF8 { x in
            b.withUTF8 { y in x.count == y.count && (x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) }
        }
    }

    /// `text.contains(" ")`, without the generic search when `text` is ASCII (where each
    /// byte is a character, so a space byte is a space character; elsewhere a space may
    /// begin a character with a combining mark, which is not a space).
    static func hasSpace(_ text: String) -> Bool {
        var space = false
        for byte in text.utf8 {
            if byte >= 0x80 { return text.contains(" ") }
            if byte == 0x20 { space = true }
        }
        return space
    }

    // MARK: Lookups

    func vm(_ index: Int) -> BundlePlan.VM { plan.vms[index] }
    func host(of vm: Int) -> Int { hostIndex[plan.vms[vm].host]! }
    func vpxi(of vm: Int) -> BundlePlan.VPXI { plan.vpxis[vpxiIndex[plan.vms[vm].vpxi]!] }

    /// The VM index at the other end of `link` from `vm`.
    func peer(of vm: Int, link: Int) -> Int {
        let l = plan.links[link]
        return vmIndex[plan.vms[vm].name == l.a ? l.b : l.a]!
    }

    static func peer(of vm: Int, in link: BundlePlan.Link, plan: BundlePlan) -> String {
        plan.vms[vm].name == link.a ? link.b : link.a
    }

    /// The overlay bridge of a VPXI.
    static func bridge(of vpxi: BundlePlan.VPXI) -> String {
        if let bridge = vpxi.overlayBridge { return bridge }
        return "vx-" + String(Hex.encode(HashAlgorithm.sha256.digest(Array(vpxi.name.utf8))).prefix(10))
    }

    /// The first pair of locators of one family, in the order of preference of the first
    /// host, then of the second.
    static func outerPair(_ local: [IPAddress], _ remote: [IPAddress]) -> (IPAddress, IPAddress)? {
        for l in local {
            if let r = remote.first(where: { $0.isV6 == l.isV6 }) { return (l, r) }
        }
        return nil
    }

    // MARK: Checks

    static func index(_ names: [String], kind: String) throws(BackendsError) -> [String: Int] {
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() {
            guard PlanText.isName(name) else {
                throw BackendsError(.invalidName, "the \(kind) name `\(name.prefix(80))` is not a valid name",
                                    help: "use 1 to 63 letters, digits, `.`, `_` or `-`, starting with a letter or a digit")
            }
            guard index.updateValue(position, forKey: name) == nil else {
                throw BackendsError(.duplicateName, "two \(kind)s are named `\(name)`")
            }
        }
        return index
    }

    static func checkHost(_ host: BundlePlan.Host, registrars: [String: Int], plan: BundlePlan) throws(BackendsError) -> [IPAddress] {
        guard let registrar = registrars[host.registrar] else {
            throw BackendsError(.unknownRegistrar, "host `\(host.name)` is registered with `\(host.registrar)`, which is not a registrar of the plan")
        }
        guard let signer = plan.registrars[registrar].signingKey else {
            throw BackendsError(.registrarCannotSign, "the private key of registrar `\(host.registrar)` is not available, so the bundle of `\(host.name)` cannot be signed",
                                help: "put the registrar's private key in the key store")
        }
        guard !signer.publicKey.isLegacySize, signer.publicKey == plan.registrars[registrar].publicKey else {
            throw BackendsError(.registrarCannotSign, "the signing key of registrar `\(host.registrar)` is under 2048 bits or is not the registrar's public key")
        }
        guard host.publicKey.byteLength - 66 >= 2 * ESPSuite.allCases.map(\.keyMaterialLength).max()! else {
            throw BackendsError(.keyTooSmallForWrapping, "the key of host `\(host.name)` is too small to wrap ESP keys with RSA-OAEP")
        }
        guard !host.locators.isEmpty else {
            throw BackendsError(.noLocator, "host `\(host.name)` has no locator", help: "declare at least one IPv4 or IPv6 address")
        }
        var parsed: [IPAddress] = []
        for text in host.locators {
            guard let address = IPAddress(text) else {
                throw BackendsError(.invalidLocator, "the locator `\(text.prefix(80))` of host `\(host.name)` is not an IPv4 or IPv6 address")
            }
            parsed.append(address)
        }
        if let directory = host.imageDirectory, !PlanText.isPath(directory) {
            throw BackendsError(.invalidText, "the image directory of host `\(host.name)` is not a plain absolute path")
        }
        return parsed
    }

    static func checkVPXI(_ vpxi: BundlePlan.VPXI) throws(BackendsError) {
        guard vpxi.windowStart < vpxi.windowEnd else {
            throw BackendsError(.invalidWindow, "the window of VPXI `\(vpxi.name)` ends (\(vpxi.windowEnd)) before it starts (\(vpxi.windowStart))")
        }
        if let bridge = vpxi.overlayBridge, !PlanText.isInterfaceName(bridge) {
            throw BackendsError(.invalidName, "the overlay bridge `\(bridge.prefix(40))` of VPXI `\(vpxi.name)` is not a valid interface name",
                                help: "use 1 to 15 letters, digits, `.`, `_` or `-`")
        }
        let epochs = vpxi.epochs
        guard let first = epochs.first, let last = epochs.last else {
            throw BackendsError(.invalidEpochs, "VPXI `\(vpxi.name)` has no renewal epochs", help: "make them with `Epoch.renewals`")
        }
        guard first.start == vpxi.windowStart, last.end == vpxi.windowEnd else {
            throw BackendsError(.invalidEpochs, "the epochs of VPXI `\(vpxi.name)` run from \(first.start) to \(last.end), not over its window \(vpxi.windowStart) to \(vpxi.windowEnd)")
        }
        for (position, epoch) in epochs.enumerated() {
            guard epoch.index == position, epoch.start < epoch.end, epoch.expires >= epoch.end, epoch.expires <= vpxi.windowEnd else {
                throw BackendsError(.invalidEpochs, "epoch \(position) of VPXI `\(vpxi.name)` is malformed (its index, or start < end <= expires <= window end)")
            }
            if position > 0, epochs[position - 1].end != epoch.start {
                throw BackendsError(.invalidEpochs, "epoch \(position) of VPXI `\(vpxi.name)` starts at \(epoch.start), not where epoch \(position - 1) ends (\(epochs[position - 1].end))",
                                    help: "epochs follow each other without gaps or overlaps")
            }
        }
    }

    static func checkVM(_ vm: BundlePlan.VM, plan: BundlePlan, hosts: [String: Int], vpxis: [String: Int]) throws(BackendsError) {
        guard hosts[vm.host] != nil else {
            throw BackendsError(.unknownHost, "VM `\(vm.name)` is placed on `\(vm.host)`, which is not a host of the plan")
        }
        guard vpxis[vm.vpxi] != nil else {
            throw BackendsError(.unknownVPXI, "VM `\(vm.name)` belongs to `\(vm.vpxi)`, which is not a VPXI of the plan")
        }
        guard vm.cpus >= 1, vm.cpus <= 4096, vm.memoryBytes >= 1 << 20, vm.memoryBytes <= 1 << 50, (vm.diskBytes ?? 1) > 0 else {
            throw BackendsError(.invalidResources, "VM `\(vm.name)` asks for \(vm.cpus) cpus and \(vm.memoryBytes) bytes of memory",
                                help: "a VM has 1 to 4096 cpus, at least 1 MiB of memory and a non-empty disk")
        }
        if let image = vm.image {
            let ok = image.hasPrefix("/") ? PlanText.isPath(image) : PlanText.isName(image)
            guard ok else {
                throw BackendsError(.invalidText, "the image `\(image.prefix(80))` of VM `\(vm.name)` is neither a name nor a plain absolute path")
            }
        }
    }
}
