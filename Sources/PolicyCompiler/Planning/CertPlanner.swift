import SPKI

/// Plans the certificates of the paper's three flows for a renewal epoch.
///
/// For each machine R of a vpxi V, placed on a host registered with registrar H2, where V
/// is built by registrar H1, and each user U granted rights on R:
///
/// 1. `<R, H2, A_R, propagate, E>`, where A_R is V's tag with every right any grant gives
///    on R, and E the epoch's validity;
/// 2. `<H2, H1, A_R, propagate, E>` when H2 is not H1 (several registrars);
/// 3. `<H1, U, A_U, E ∩ W>` for a grant to U (without `via`), A_U the tag of U's rights on R
///    and W the grant's window; it carries propagate when U delegates rights on R;
/// 4. `<U1, U2, A_U2, E ∩ W>` for a grant to U2 `via` U1 (U1 signs it), propagate again
///    only when U2 delegates in turn.
///
/// Grants of one user on one machine with the same delegating user and window share a
/// cert. Each user's chain to R holds every cert on the paths from R's to the user's.
public struct CertPlanner: Sendable {
    let ir: InfrastructureIR

    public init(ir: InfrastructureIR) {
        self.ir = ir
    }

    /// The plan for every vpxi at `time`: each vpxi in the epoch in force then (the first
    /// one before its window); none for a vpxi whose window ended before `time`.
    /// The vpxis in `carried` are left out (their part of the output is carried over).
    public func plan(at time: Int64, carried: Set<Int> = []) -> CertPlan {
        let vpxis = ir.model.vpxis
        let epochs = vpxis.map { $0.window.end < time ? nil : $0.schedule.epoch(at: time) }
        // Each vpxi is planned on its own (in parallel), then the plans are joined.
        let parts = Parallel.map(vpxis.count, chunk: 1) { range in
            range.map { v -> CertPlan in
                var part = CertPlan()
                guard !carried.contains(v) else { return part }
                for m in vpxis[v].machines.indices { part.acls.append(.init(vpxi: v, machine: m, acl: acl(vpxi: v, machine: m))) }
                if let epoch = epochs[v] { add(vpxi: v, epoch: epoch, to: &part) }
                return part
            }
        }.flatMap { $0 }
        var plan = CertPlan()
        plan.epochs = epochs
        plan.carried = carried
        for part in parts {
            let offset = plan.certs.count
            plan.certs += part.certs
            plan.chains += part.chains.map { .init(user: $0.user, vpxi: $0.vpxi, machine: $0.machine, certs: $0.certs.map { $0 + offset }) }
            plan.acls += part.acls
        }
        return plan
    }

    /// The plan of one vpxi for one epoch (for policy tests at other times); of some of
    /// its machines only when `machines` is given (each machine's certs and chains depend
    /// only on the grants on it).
    public func plan(vpxi v: Int, epoch: RenewalSchedule.Epoch, machines: Set<Int>? = nil) -> CertPlan {
        var plan = CertPlan()
        plan.epochs = ir.model.vpxis.indices.map { $0 == v ? epoch : nil }
        for m in ir.model.vpxis[v].machines.indices where machines?.contains(m) ?? true {
            plan.acls.append(.init(vpxi: v, machine: m, acl: acl(vpxi: v, machine: m)))
        }
        add(vpxi: v, epoch: epoch, to: &plan, machines: machines)
        return plan
    }

    /// `(acl (entry R (propagate) (tag (*))))`: the machine trusts its own key.
    public func acl(vpxi: Int, machine: Int) -> ACL {
        ACL(entries: [ACL.Entry(subject: .principal(ir.keys.machines[vpxi][machine].principal), propagate: true, tag: .all)])
    }

    /// Grants of one user on one machine that share a cert.
    struct GroupKey: Hashable {
        let user: Int
        let via: Int?
        let window: TimeWindow
    }

    func add(vpxi v: Int, epoch: RenewalSchedule.Epoch, to plan: inout CertPlan, machines: Set<Int>? = nil) {
        let model = ir.model
        let vpxi = model.vpxis[v]
        var groups = [[GroupKey: [PolicyModel.Right]]](repeating: [:], count: vpxi.machines.count)
        var groupOrder = [[GroupKey]](repeating: [], count: vpxi.machines.count)
        var delegates = [Set<Int>](repeating: [], count: vpxi.machines.count)
        for grant in vpxi.grants {
            let key = GroupKey(user: grant.user, via: grant.via, window: grant.window)
            for target in grant.targets {
                if groups[target][key] == nil { groupOrder[target].append(key) }
                groups[target][key, default: []] += grant.rights
                if let via = grant.via { delegates[target].insert(via) }
            }
        }
        let hv = vpxi.registrar
        var bytes = CertBytesWriter()
        let registrarParty = { (r: Int) in CertPlan.Party(name: .registrar(model.registrars[r].name), key: model.registrars[r].key) }
        let userParty = { (u: Int) in CertPlan.Party(name: .user(model.users[u].name), key: model.users[u].key) }
        for m in vpxi.machines.indices where !groupOrder[m].isEmpty && machines?.contains(m) ?? true {
            let machineKey = ir.keys.machines[v][m]
            let machineParty = CertPlan.Party(name: .machine(vpxi: vpxi.name, machine: vpxi.machines[m].name), key: machineKey)
            let tag = { (rights: [PolicyModel.Right]) in
                TagVocabulary.resourceTag(vpxi: vpxi.name, resource: machineKey, rights: TagVocabulary.grantTag(rights))
            }
            let allRights = groupOrder[m].flatMap { groups[m][$0]! }
            let resourceTag = tag(allRights)
            let host = ir.placement.hosts[v][m]
            let h2 = host == Placement.unplaced ? hv : (model.hosts[host].registration?.registrar ?? hv)
            var root: [Int] = []
            root.append(plan.certs.count)
            let rootCert = Cert(issuer: machineKey.principal, subject: .principal(model.registrars[h2].key.principal),
                                tag: resourceTag, propagate: true, validity: epoch.validity.validity)
            plan.certs.append(.init(flow: .resourceToRegistrar, vpxi: v, machine: m, issuer: machineParty, subject: registrarParty(h2),
                                    cert: rootCert, canonical: bytes.canonical(rootCert)))
            if h2 != hv {
                root.append(plan.certs.count)
                let linkCert = Cert(issuer: model.registrars[h2].key.principal, subject: .principal(model.registrars[hv].key.principal),
                                    tag: resourceTag, propagate: true, validity: epoch.validity.validity)
                plan.certs.append(.init(flow: .registrarToRegistrar, vpxi: v, machine: m, issuer: registrarParty(h2), subject: registrarParty(hv),
                                        cert: linkCert, canonical: bytes.canonical(linkCert)))
            }
            // User certs, and for each user the certs that reach them.
            var byUser: [Int: [(cert: Int, via: Int?)]] = [:]
            var userOrder: [Int] = []
            for key in groupOrder[m] {
                let validity = epoch.validity.intersection(key.window)
                guard !validity.isEmpty else { continue }
                let issuer = key.via.map(userParty) ?? registrarParty(hv)
                let subject = userParty(key.user)
                let cert = Cert(issuer: issuer.key.principal, subject: .principal(subject.key.principal), tag: tag(groups[m][key]!),
                                propagate: delegates[m].contains(key.user), validity: validity.validity)
                if byUser[key.user] == nil { userOrder.append(key.user) }
                byUser[key.user, default: []].append((plan.certs.count, key.via))
                plan.certs.append(.init(flow: key.via == nil ? .registrarToUser : .userToUser, vpxi: v, machine: m,
                                        issuer: issuer, subject: subject, cert: cert, canonical: bytes.canonical(cert)))
            }
            for user in userOrder {
                var chain = root
                var visiting: Set<Int> = []
                collect(user, byUser: byUser, into: &chain, visiting: &visiting)
                plan.chains.append(.init(user: user, vpxi: v, machine: m, certs: chain))
            }
        }
    }

    /// Appends the certs that reach `user`: those of the users who delegate to them first.
    func collect(_ user: Int, byUser: [Int: [(cert: Int, via: Int?)]], into chain: inout [Int], visiting: inout Set<Int>) {
        guard visiting.insert(user).inserted else { return }
        for (index, via) in byUser[user] ?? [] {
            if let via { collect(via, byUser: byUser, into: &chain, visiting: &visiting) }
            if !chain.contains(index) { chain.append(index) }
        }
    }
}
