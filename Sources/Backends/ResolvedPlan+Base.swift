extension ResolvedPlan {
    /// Everything a resolved plan derives from its registrars, hosts, VPXIs, VMs, links and
    /// HIT version, checked: the name indices, parsed locators, HITs, LSIs, and each host's
    /// VMs and each VM's links. No epoch changes it (the time, the key horizon and the
    /// logins are not in it), so a caller that builds the same VMs' bundles at every epoch
    /// keeps it (`BundleFileCache`) and only the logins are checked again.
    ///
    /// It keeps the arrays it was made from: `fits` compares a plan's arrays with them by
    /// storage, which is exact while they are kept (a kept array's storage is never freed,
    /// so another array at the same address with the same count is that array, and a
    /// shared array's storage is never written in place).
    struct Base: Sendable {
        /// Who a base is: made once per `init`, shared by its copies (what a cache keeps
        /// files under, `BundleFileCache.Kept`).
        final class Token: Sendable {}

        let token = Token()
        let registrars: [BundlePlan.Registrar]
        let hosts: [BundlePlan.Host]
        let vpxis: [BundlePlan.VPXI]
        let vms: [BundlePlan.VM]
        let links: [BundlePlan.Link]
        let hitVersion: ORCHIDVersion

        let registrarIndex: [String: Int]
        let hostIndex: [String: Int]
        let vpxiIndex: [String: Int]
        let vmIndex: [String: Int]
        let locators: [[IPAddress]]
        let hits: [HIT]
        /// Each HIT as text (`HIT.description`), written into every epoch's `authorized.sexp`.
        let hitTexts: [String]
        let lsis: [LSI]
        let vmsOfHost: [[Int]]
        let linksOfVM: [[Int]]
        /// The canonical bytes of each host's and each registrar's public key, written into
        /// every manifest (`BundleManifest.canonical(hostKey:registrarKey:)`) and, for the
        /// registrars, every manifest signature.
        let hostKeys: [[UInt8]]
        let registrarKeys: [[UInt8]]

        /// Checks everything of `plan` but its logins.
        init(_ plan: BundlePlan) throws(BackendsError) {
            registrars = plan.registrars
            hosts = plan.hosts
            vpxis = plan.vpxis
            vms = plan.vms
            links = plan.links
            hitVersion = plan.hitVersion
            registrarIndex = try ResolvedPlan.index(plan.registrars.map(\.name), kind: "registrar")
            hostIndex = try ResolvedPlan.index(plan.hosts.map(\.name), kind: "host")
            vpxiIndex = try ResolvedPlan.index(plan.vpxis.map(\.name), kind: "VPXI")
            vmIndex = try ResolvedPlan.index(plan.vms.map(\.name), kind: "VM")

            var locators: [[IPAddress]] = []
            for host in plan.hosts {
                locators.append(try ResolvedPlan.checkHost(host, registrars: registrarIndex, plan: plan))
            }
            self.locators = locators
            for vpxi in plan.vpxis { try ResolvedPlan.checkVPXI(vpxi) }

            var hits: [HIT] = []
            var vmsOfHost = Array(repeating: [Int](), count: plan.hosts.count)
            var seenHITs: [HIT: String] = [:]
            for (index, vm) in plan.vms.enumerated() {
                try ResolvedPlan.checkVM(vm, plan: plan, hosts: hostIndex, vpxis: vpxiIndex)
                let hit = HostIdentity(rsa: vm.publicKey).hit(plan.hitVersion)
                if let other = seenHITs[hit] {
                    throw BackendsError(.duplicateName, "VMs `\(other)` and `\(vm.name)` have the same public key (HIT \(hit))",
                                        help: "every VM has its own key pair")
                }
                seenHITs[hit] = vm.name
                hits.append(hit)
                vmsOfHost[hostIndex[vm.host]!].append(index)
            }
            self.hits = hits
            hitTexts = hits.map(\.description)
            let allocated = try LSI.allocate(hits)
            lsis = hits.map { allocated[$0]! }
            self.vmsOfHost = vmsOfHost.map { $0.sorted { plan.vms[$0].name < plan.vms[$1].name } }
            linksOfVM = try Self.links(plan, vmIndex: vmIndex, hostIndex: hostIndex, locators: locators)
            hostKeys = plan.hosts.map(\.publicKeySExpr.canonical)
            registrarKeys = plan.registrars.map(\.publicKeySExpr.canonical)
        }

        /// Checks the links of `plan`; the link indices of each VM, sorted by peer name.
        static func links(_ plan: BundlePlan, vmIndex: [String: Int], hostIndex: [String: Int],
                          locators: [[IPAddress]]) throws(BackendsError) -> [[Int]] {
            var linksOfVM = Array(repeating: [Int](), count: plan.vms.count)
            var pairs = Set<[String]>()
            for (index, link) in plan.links.enumerated() {
                guard let a = vmIndex[link.a], let b = vmIndex[link.b] else {
                    throw BackendsError(.unknownVM, "a link names `\(vmIndex[link.a] == nil ? link.a : link.b)`, which is not a VM of the plan")
                }
                let (va, vb) = (plan.vms[a], plan.vms[b])
                guard a != b else { throw BackendsError(.invalidLink, "the link `\(link.a) <-> \(link.b)` joins a VM to itself") }
                guard va.vpxi == vb.vpxi else {
                    throw BackendsError(.invalidLink, "the link `\(link.a) <-> \(link.b)` joins VMs of two VPXIs (`\(va.vpxi)`, `\(vb.vpxi)`)")
                }
                guard pairs.insert([link.a, link.b].sorted()).inserted else {
                    throw BackendsError(.invalidLink, "the link `\(link.a) <-> \(link.b)` is given twice", help: "merge the two links into one")
                }
                if let start = link.notBefore, let end = link.notAfter, start >= end {
                    throw BackendsError(.invalidLink, "the link `\(link.a) <-> \(link.b)` ends (\(end)) before it starts (\(start))")
                }
                let (ha, hb) = (hostIndex[va.host]!, hostIndex[vb.host]!)
                if ha != hb, link.suite != nil, ResolvedPlan.outerPair(locators[ha], locators[hb]) == nil {
                    throw BackendsError(.noCommonLocatorFamily,
                                        "hosts `\(va.host)` and `\(vb.host)` have no locators of the same family (IPv4 or IPv6), so the link `\(link.a) <-> \(link.b)` cannot be carried",
                                        help: "give both hosts an IPv4 locator or both an IPv6 locator")
                }
                linksOfVM[a].append(index)
                linksOfVM[b].append(index)
            }
            return linksOfVM.enumerated().map { vm, links in
                links.sorted { ResolvedPlan.peer(of: vm, in: plan.links[$0], plan: plan) < ResolvedPlan.peer(of: vm, in: plan.links[$1], plan: plan) }
            }
        }

        /// Whether `plan` has the registrars, hosts, VPXIs, VMs, links and HIT version this
        /// was made from: the same arrays (the same storage, as the registrar's skeleton
        /// hands them to every epoch's plan), not merely equal ones, so the answer costs
        /// nothing and is never wrong; a plan with copies is resolved afresh.
        func fits(_ plan: BundlePlan) -> Bool {
            plan.hitVersion == hitVersion && Self.same(plan.registrars, registrars) && Self.same(plan.hosts, hosts)
                && Self.same(plan.vpxis, vpxis) && Self.same(plan.vms, vms) && Self.same(plan.links, links)
        }

        /// Whether two arrays share their storage (or are both empty).
        static func same<T>(_ a: [T], _ b: [T]) -> Bool {
            guard a.count == b.count else { return false }
            if a.isEmpty { return true }
            return a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress } }
        }
    }
}
