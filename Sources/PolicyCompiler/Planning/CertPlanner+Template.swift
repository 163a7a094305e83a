import SPKI

/// The part of one vpxi's cert plan that no epoch changes, worked out once: the grants
/// grouped per machine (user, delegating user, window), each group's rights as a tag, the
/// parties, and each cert's canonical bytes up to its validity field. An epoch then only
/// sets each cert's validity (the epoch's, cut to the group's window), appends its bytes,
/// hashes the cert and links the chains: `plan(_:epoch:machines:)`. Every plan of the
/// planner goes through it (`plan(at:)`, `plan(vpxi:epoch:machines:)`), so a template kept
/// between epochs (the registrar keeps one per vpxi it renews) gives the same plan, byte
/// for byte, as planning again.
extension CertPlanner {
    public struct Template: Sendable {
        /// One cert of the plan, without its validity.
        struct Item: Sendable {
            let flow: CertPlan.Flow
            let issuer: CertPlan.Party
            let subject: CertPlan.Party
            /// The cert with no validity (`Validity.always`): each epoch sets it.
            let cert: Cert
            /// The grant's window for a cert to a user (cut with the epoch's validity; no
            /// cert when they do not meet); nil for the resource and registrar links, which
            /// take the epoch's validity.
            let window: TimeWindow?
            /// For a cert to a user: the user, and who delegates to them (nil: the registrar).
            let user: Int
            let via: Int?
            /// `CertBytesWriter.prefix` of the cert, nil when it falls back.
            let prefix: [UInt8]?
        }

        /// A machine with grants: its root certs (resource → registrar, then registrar →
        /// registrar when they differ) and its certs to users, in group order.
        struct Machine: Sendable {
            let index: Int
            let root: [Item]
            let users: [Item]
        }

        public let vpxi: Int
        let acls: [CertPlan.PlannedACL]
        let machines: [Machine]
    }

    /// The epoch-independent part of vpxi `v`'s plan.
    public func template(vpxi v: Int) -> Template {
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
        let acls = vpxi.machines.indices.map { CertPlan.PlannedACL(vpxi: v, machine: $0, acl: acl(vpxi: v, machine: $0)) }
        var machines: [Template.Machine] = []
        for m in vpxi.machines.indices where !groupOrder[m].isEmpty {
            let machineKey = ir.keys.machines[v][m]
            let machineParty = CertPlan.Party(name: .machine(vpxi: vpxi.name, machine: vpxi.machines[m].name), key: machineKey)
            let tag = { (rights: [PolicyModel.Right]) in
                TagVocabulary.resourceTag(vpxi: vpxi.name, resource: machineKey, rights: TagVocabulary.grantTag(rights))
            }
            func item(_ flow: CertPlan.Flow, _ issuer: CertPlan.Party, _ subject: CertPlan.Party, tag: Tag, propagate: Bool,
                      window: TimeWindow? = nil, user: Int = -1, via: Int? = nil) -> Template.Item {
                let cert = Cert(issuer: issuer.key.principal, subject: .principal(subject.key.principal), tag: tag, propagate: propagate)
                return Template.Item(flow: flow, issuer: issuer, subject: subject, cert: cert, window: window, user: user, via: via,
                                     prefix: bytes.prefix(cert))
            }
            let resourceTag = tag(groupOrder[m].flatMap { groups[m][$0]! })
            let host = ir.placement.hosts[v][m]
            let h2 = host == Placement.unplaced ? hv : (model.hosts[host].registration?.registrar ?? hv)
            var root = [item(.resourceToRegistrar, machineParty, registrarParty(h2), tag: resourceTag, propagate: true)]
            if h2 != hv {
                root.append(item(.registrarToRegistrar, registrarParty(h2), registrarParty(hv), tag: resourceTag, propagate: true))
            }
            let users = groupOrder[m].map { key in
                item(key.via == nil ? .registrarToUser : .userToUser, key.via.map(userParty) ?? registrarParty(hv), userParty(key.user),
                     tag: tag(groups[m][key]!), propagate: delegates[m].contains(key.user), window: key.window, user: key.user, via: key.via)
            }
            machines.append(Template.Machine(index: m, root: root, users: users))
        }
        return Template(vpxi: v, acls: acls, machines: machines)
    }

    /// The plan of `template`'s vpxi for one epoch (of some of its machines only when
    /// `machines` is given): the same as planning it from the model.
    public func plan(_ template: Template, epoch: RenewalSchedule.Epoch, machines: Set<Int>? = nil) -> CertPlan {
        var plan = CertPlan()
        plan.epochs = ir.model.vpxis.indices.map { $0 == template.vpxi ? epoch : nil }
        plan.acls = template.acls.filter { machines?.contains($0.machine) ?? true }
        template.add(epoch: epoch, to: &plan, machines: machines)
        return plan
    }
}

extension CertPlanner.Template {
    /// Appends the epoch's certs and chains of the machines (all, or those in `machines`).
    func add(epoch: RenewalSchedule.Epoch, to plan: inout CertPlan, machines selected: Set<Int>? = nil) {
        var writer = CertBytesWriter()
        func planned(_ item: Item, machine: Int, window: TimeWindow) -> CertPlan.PlannedCert {
            var cert = item.cert
            cert.validity = window.validity
            var canonical: [UInt8]?
            if let prefix = item.prefix {
                // One buffer of the final size (the prefix is shared with the template: added
                // to in place, it would be copied, then grown).
                let validity = writer.field(cert.validity)
                var bytes: [UInt8] = []
                bytes.reserveCapacity(prefix.count + validity.count + 1)
                bytes += prefix
                bytes += validity
                bytes.append(0x29)
                canonical = bytes
            }
            return CertPlan.PlannedCert(flow: item.flow, vpxi: vpxi, machine: machine, issuer: item.issuer, subject: item.subject,
                                        cert: cert, canonical: canonical)
        }
        plan.certs.reserveCapacity(plan.certs.count + machines.reduce(0) { $0 + $1.root.count + $1.users.count })
        for machine in machines where selected?.contains(machine.index) ?? true {
            let m = machine.index
            var root: [Int] = []
            // By index: the template's items read in place, not copied (retained field by field).
            for index in machine.root.indices {
                root.append(plan.certs.count)
                plan.certs.append(planned(machine.root[index], machine: m, window: epoch.validity))
            }
            // User certs, and for each user the certs that reach them.
            var byUser: [Int: [(cert: Int, via: Int?)]] = [:]
            var userOrder: [Int] = []
            for index in machine.users.indices {
                let validity = epoch.validity.intersection(machine.users[index].window ?? epoch.validity)
                guard !validity.isEmpty else { continue }
                let user = machine.users[index].user
                if byUser[user] == nil { userOrder.append(user) }
                byUser[user, default: []].append((plan.certs.count, machine.users[index].via))
                plan.certs.append(planned(machine.users[index], machine: m, window: validity))
            }
            for user in userOrder {
                var chain = root
                var visiting: Set<Int> = []
                CertPlanner.collect(user, byUser: byUser, into: &chain, visiting: &visiting)
                plan.chains.append(.init(user: user, vpxi: vpxi, machine: m, certs: chain))
            }
        }
    }
}
