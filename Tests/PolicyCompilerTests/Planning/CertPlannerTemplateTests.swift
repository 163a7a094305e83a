import XCTest
import SExpr
import SPKI
@testable import PolicyCompiler

/// A template kept across epochs (`CertPlanner.template(vpxi:)`, what the registrar keeps per
/// vpxi between renewals) plans every epoch exactly as planning it from the model does:
/// the same certs (bytes, hashes, flows, parties), chains and ACLs. The reference is the
/// planner's loop as it was before the template (`ReferencePlan` below), kept here as the
/// oracle; the epochs include every scheduled one and others made to cut each grant's
/// window, to fall outside it (a cert dropped, a chain shortened) and to change the
/// validity's length.
final class CertPlannerTemplateTests: XCTestCase {
    func testATemplateKeptAcrossEpochsPlansAsTheModelDoes() throws {
        var compared = 0
        var dropped = 0
        for name in CompileFixture.examples {
            let ir = try CompileFixture.ir(name)
            let planner = CertPlanner(ir: ir)
            for (v, vpxi) in ir.model.vpxis.enumerated() {
                let template = planner.template(vpxi: v)
                for epoch in Self.epochs(vpxi) {
                    let kept = planner.plan(template, epoch: epoch)
                    let reference = ReferencePlan(ir: ir).plan(vpxi: v, epoch: epoch)
                    try Self.assertSame(kept, reference, "\(name) vpxi \(vpxi.name) epoch \(epoch.validity)")
                    XCTAssertEqual(planner.plan(vpxi: v, epoch: epoch).certs.map(\.canonical), reference.certs.map(\.canonical))
                    let machines = Set(vpxi.machines.indices.filter { $0 % 2 == 0 })
                    try Self.assertSame(planner.plan(template, epoch: epoch, machines: machines),
                                        ReferencePlan(ir: ir).plan(vpxi: v, epoch: epoch, machines: machines), "\(name) even machines")
                    compared += kept.certs.count
                    if kept.certs.count < ReferencePlan(ir: ir).plan(vpxi: v, epoch: vpxi.schedule.epoch(0)).certs.count { dropped += 1 }
                }
            }
        }
        XCTAssertGreaterThan(compared, 100)
        XCTAssertGreaterThan(dropped, 0, "no epoch dropped a cert: the windows were not exercised")
    }

    /// The schedule's epochs, then epochs around each grant window's ends and the window's.
    static func epochs(_ vpxi: PolicyModel.VPXI) -> [RenewalSchedule.Epoch] {
        var epochs = (0..<min(vpxi.schedule.count, 6)).map { vpxi.schedule.epoch($0) }
        var bounds = [vpxi.window.start, vpxi.window.end]
        for grant in vpxi.grants { bounds += [grant.window.start, grant.window.end] }
        for (index, bound) in Set(bounds).sorted().enumerated() {
            for (start, end) in [(bound - 3600, bound + 1800), (bound + 60, bound + 7200), (bound - 7200, bound - 60), (bound - 1, bound + 1)] {
                epochs.append(RenewalSchedule.Epoch(index: 100 + index, start: start, renewalEnd: end,
                                                    validity: TimeWindow(start: start, end: end)))
            }
        }
        return epochs
    }

    static func assertSame(_ a: CertPlan, _ b: CertPlan, _ context: String) throws {
        XCTAssertEqual(a.certs.count, b.certs.count, context)
        for (x, y) in zip(a.certs, b.certs) {
            XCTAssertEqual(x.canonical, y.canonical, context)
            XCTAssertEqual(x.canonical, x.cert.sexp.canonical, context)
            XCTAssertEqual(x.hex, y.hex, context)
            XCTAssertEqual(x.cert, y.cert, context)
            XCTAssertEqual([x.flow.rawValue, x.issuer.name.description, x.subject.name.description, "\(x.machine)", "\(x.vpxi)"],
                           [y.flow.rawValue, y.issuer.name.description, y.subject.name.description, "\(y.machine)", "\(y.vpxi)"], context)
        }
        XCTAssertEqual(a.chains.map { "\($0.user) \($0.vpxi) \($0.machine) \($0.certs)" }, b.chains.map { "\($0.user) \($0.vpxi) \($0.machine) \($0.certs)" },
                       context)
        XCTAssertEqual(a.acls.map { "\($0.machine) \($0.acl.sexp.canonical)" }, b.acls.map { "\($0.machine) \($0.acl.sexp.canonical)" }, context)
        XCTAssertEqual(a.epochs, b.epochs, context)
    }
}

/// The planner's per-epoch loop as it was before templates (the test's oracle): every
/// group, tag and cert made again from the model for the epoch.
private struct ReferencePlan {
    let ir: InfrastructureIR

    func plan(vpxi v: Int, epoch: RenewalSchedule.Epoch, machines: Set<Int>? = nil) -> CertPlan {
        let model = ir.model
        let vpxi = model.vpxis[v]
        let planner = CertPlanner(ir: ir)
        var plan = CertPlan()
        plan.epochs = model.vpxis.indices.map { $0 == v ? epoch : nil }
        for m in vpxi.machines.indices where machines?.contains(m) ?? true {
            plan.acls.append(.init(vpxi: v, machine: m, acl: planner.acl(vpxi: v, machine: m)))
        }
        var groups = [[CertPlanner.GroupKey: [PolicyModel.Right]]](repeating: [:], count: vpxi.machines.count)
        var order = [[CertPlanner.GroupKey]](repeating: [], count: vpxi.machines.count)
        var delegates = [Set<Int>](repeating: [], count: vpxi.machines.count)
        for grant in vpxi.grants {
            let key = CertPlanner.GroupKey(user: grant.user, via: grant.via, window: grant.window)
            for target in grant.targets {
                if groups[target][key] == nil { order[target].append(key) }
                groups[target][key, default: []] += grant.rights
                if let via = grant.via { delegates[target].insert(via) }
            }
        }
        let hv = vpxi.registrar
        let registrar = { (r: Int) in CertPlan.Party(name: .registrar(model.registrars[r].name), key: model.registrars[r].key) }
        let user = { (u: Int) in CertPlan.Party(name: .user(model.users[u].name), key: model.users[u].key) }
        for m in vpxi.machines.indices where !order[m].isEmpty && machines?.contains(m) ?? true {
            let key = ir.keys.machines[v][m]
            let machine = CertPlan.Party(name: .machine(vpxi: vpxi.name, machine: vpxi.machines[m].name), key: key)
            let tag = { (rights: [PolicyModel.Right]) in
                TagVocabulary.resourceTag(vpxi: vpxi.name, resource: key, rights: TagVocabulary.grantTag(rights))
            }
            let resourceTag = tag(order[m].flatMap { groups[m][$0]! })
            let host = ir.placement.hosts[v][m]
            let h2 = host == Placement.unplaced ? hv : (model.hosts[host].registration?.registrar ?? hv)
            var root = [plan.certs.count]
            plan.certs.append(.init(flow: .resourceToRegistrar, vpxi: v, machine: m, issuer: machine, subject: registrar(h2),
                                    cert: Cert(issuer: key.principal, subject: .principal(model.registrars[h2].key.principal), tag: resourceTag,
                                               propagate: true, validity: epoch.validity.validity)))
            if h2 != hv {
                root.append(plan.certs.count)
                plan.certs.append(.init(flow: .registrarToRegistrar, vpxi: v, machine: m, issuer: registrar(h2), subject: registrar(hv),
                                        cert: Cert(issuer: model.registrars[h2].key.principal, subject: .principal(model.registrars[hv].key.principal),
                                                   tag: resourceTag, propagate: true, validity: epoch.validity.validity)))
            }
            var byUser: [Int: [(cert: Int, via: Int?)]] = [:]
            var users: [Int] = []
            for group in order[m] {
                let validity = epoch.validity.intersection(group.window)
                guard !validity.isEmpty else { continue }
                let issuer = group.via.map(user) ?? registrar(hv)
                let subject = user(group.user)
                if byUser[group.user] == nil { users.append(group.user) }
                byUser[group.user, default: []].append((plan.certs.count, group.via))
                plan.certs.append(.init(flow: group.via == nil ? .registrarToUser : .userToUser, vpxi: v, machine: m, issuer: issuer, subject: subject,
                                        cert: Cert(issuer: issuer.key.principal, subject: .principal(subject.key.principal), tag: tag(groups[m][group]!),
                                                   propagate: delegates[m].contains(group.user), validity: validity.validity)))
            }
            for u in users {
                var chain = root
                var visiting: Set<Int> = []
                CertPlanner.collect(u, byUser: byUser, into: &chain, visiting: &visiting)
                plan.chains.append(.init(user: u, vpxi: v, machine: m, certs: chain))
            }
        }
        return plan
    }
}
