@testable import Registrar
import Foundation
import PolicyCompiler
import RSA
import SExpr
import SPKI
import XCTest

/// `EpochIssue.issue` (run L: certs made from canonical bytes, their text laid out from a
/// kept prefix, the ACLs and names kept with the compiled vpxi, dedup by sets) against the
/// path it replaced (an `SExpr` tree per cert, each text laid out whole, quadratic dedup),
/// over random vpxis and epochs: the same certs (hash, flow, names, body, signed, expiry,
/// text, canonical bytes), the same chains and the same bundle bytes, with the compiled vpxi
/// kept between epochs as renewals keep it, incl. the owners' delegations and certs signed
/// by others (`recorded`) standing for the unsigned ones.
final class IssueEquivalenceTests: RegistrarScratchTestCase {
    /// The issue as it was made before run L (certs and chains; the bundles as before).
    static func referenceIssue(_ compiled: VPXICompiler.Compiled, epoch: RenewalSchedule.Epoch, at now: Int64, bundleSource: any BundleSource,
                               recorded: [String: SExpr], delegations: [Delegation]) throws -> EpochIssue {
        let ir = compiled.ir
        let plan = CertPlanner(ir: ir).plan(vpxi: compiled.vpxi, epoch: epoch)
        var signatures = try CertSigner.sign(plan, signers: ir.keys.signers).signatures
        for (index, planned) in plan.certs.enumerated() where signatures[index] == nil {
            guard let body = recorded[planned.hex], body.head == "sequence", body.tail.first?.canonical == planned.canonical else { continue }
            signatures[index] = body.tail.dropFirst().first.flatMap { try? SPKISignature(parsing: $0) }
        }
        let vpxi = ir.model.vpxis[compiled.vpxi]
        let enrolledCerts = EnrolledCerts(compiled)
        var certs: [EpochIssue.IssuedCert] = []
        var hashes: [String] = []
        for (index, planned) in plan.certs.enumerated() {
            let machine = vpxi.machines[planned.machine].name
            let issuer = planned.issuer.name.description, subject = planned.subject.name.description
            if planned.flow == .resourceToRegistrar {
                let enrolled = enrolledCerts.machines[planned.machine]
                hashes.append(enrolled.hash)
                certs.append(.init(hash: enrolled.hash, flow: planned.flow.rawValue, machine: machine, issuer: issuer, subject: subject,
                                   body: enrolled.body, signed: true, notAfter: enrolled.notAfter ?? epoch.validity.end,
                                   text: enrolled.body.advanced(width: 0), canonical: enrolled.body.canonical))
            } else if signatures[index] == nil, let delegation = Delegation.standing(for: planned, machine: machine, in: delegations) {
                hashes.append(delegation.hash)
                certs.append(delegation.issued(for: planned, machine: machine))
            } else {
                hashes.append(planned.hex)
                let body: SExpr = signatures[index].map { ["sequence", planned.cert.sexp, $0.sexp] } ?? planned.cert.sexp
                certs.append(.init(hash: planned.hex, flow: planned.flow.rawValue, machine: machine, issuer: issuer, subject: subject, body: body,
                                   signed: signatures[index] != nil, notAfter: planned.cert.validity.notAfter?.secondsSinceEpoch ?? epoch.validity.end,
                                   text: body.advanced(width: 0), canonical: body.canonical))
            }
        }
        func unique(_ list: [String]) -> [String] { list.reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }
        var chains: [String: [EpochIssue.ChainTemplate]] = [:]
        let acls = Dictionary(plan.acls.map { ($0.machine, $0.acl.sexp) }, uniquingKeysWith: { first, _ in first })
        for chain in plan.chains {
            chains[ir.model.users[chain.user].name, default: []].append(.init(machine: vpxi.machines[chain.machine].name, acl: acls[chain.machine] ?? ["acl"],
                                                                             certs: unique(chain.certs.map { hashes[$0] })))
        }
        let byHash = Dictionary(certs.map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first })
        var issue = EpochIssue(vpxi: vpxi.name, epoch: epoch, certs: unique(hashes).map { byHash[$0]! }, chains: chains, bundles: [:], issuedAt: now)
        var known = signatures
        for (index, planned) in plan.certs.enumerated() where planned.flow == .resourceToRegistrar {
            let enrolled = enrolledCerts.machines[planned.machine]
            known[index] = enrolled.canonical == planned.canonical ? enrolled.signature : nil
        }
        issue.bundles = try bundleSource.bundles(for: issue, compiled: compiled, certs: plan, signatures: known)
        return issue
    }

    func assertSame(_ new: EpochIssue, _ old: EpochIssue, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(new.vpxi, old.vpxi, label, file: file, line: line)
        XCTAssertEqual(new.epoch.index, old.epoch.index, label, file: file, line: line)
        XCTAssertEqual(new.certs.count, old.certs.count, label, file: file, line: line)
        for (a, b) in zip(new.certs, old.certs) {
            XCTAssertEqual([a.hash, a.flow, a.machine, a.issuer, a.subject], [b.hash, b.flow, b.machine, b.issuer, b.subject], label, file: file, line: line)
            XCTAssertEqual(a.signed, b.signed, "\(label) \(a.hash)", file: file, line: line)
            XCTAssertEqual(a.isSequence, b.body.head == "sequence", "\(label) \(a.hash)", file: file, line: line)
            XCTAssertEqual(a.notAfter, b.notAfter, "\(label) \(a.hash)", file: file, line: line)
            // What is recorded: the text (laid out whole when the issue left it out) and the bytes.
            XCTAssertEqual(a.text ?? a.body.advanced(width: 0), b.text ?? b.body.advanced(width: 0), "\(label) \(a.hash)", file: file, line: line)
            XCTAssertEqual(a.canonical ?? a.body.canonical, b.canonical ?? b.body.canonical, "\(label) \(a.hash)", file: file, line: line)
            XCTAssertEqual(a.body, b.body, "\(label) \(a.hash)", file: file, line: line)
        }
        XCTAssertEqual(new.chains.keys.sorted(), old.chains.keys.sorted(), label, file: file, line: line)
        for (user, templates) in old.chains {
            XCTAssertEqual(EpochIssue.encode(new.chains[user] ?? []).canonical, EpochIssue.encode(templates).canonical, "\(label) \(user)", file: file, line: line)
        }
        XCTAssertEqual(new.bundles, old.bundles, "\(label): bundle bytes", file: file, line: line)
    }

    /// Random grants (rights, machines, windows, `via` alice) on a 4-machine vpxi; each
    /// variant compiled once and kept, then issued for several epochs (in order, with jumps
    /// back), each against the old path on a fresh compile.
    func testRandomVPXIsAndEpochsIssueAsBefore() async throws {
        try await withClockedLyon(slots: 4) { service, _, _, start, _ in
            let (policy, compile) = try await segCompiler(service, start: start)
            let alice = try RegistrarFixture.corpusKey("alice")
            var random = TestRandomBits(seed: 0x5EED_0010)
            var delegated = 0, recordedCount = 0, pending = 0
            for variant in 0..<6 {
                let grants = IssueEquivalenceTests.randomGrants(&random, start: start)
                let kept = try compiledVariant(policy, compile, grants: grants)
                let epochs = (0..<4).map { _ in Int(random.next() % 20) } + [3, 3]
                for index in epochs {
                    let epoch = kept.model.vpxis[kept.vpxi].schedule.epoch(index)
                    // The user → user certs of the epoch: some stand as delegations (some
                    // signed for less than the epoch), some as recorded, some stay pending.
                    let plan = CertPlanner(ir: kept.ir).plan(vpxi: kept.vpxi, epoch: epoch)
                    var delegations: [Delegation] = []
                    var recorded: [String: SExpr] = [:]
                    for planned in plan.certs where planned.flow == .userToUser {
                        var cert = planned.cert
                        switch random.next() % 4 {
                        case 0:
                            delegations.append(Delegation(machine: kept.model.vpxis[kept.vpxi].machines[planned.machine].name, cert: cert,
                                                          body: ["sequence", cert.sexp, try cert.sign(with: alice).sexp]))
                        case 1:
                            cert.validity.notAfter = SPKIDate(secondsSinceEpoch: epoch.start + 600)
                            delegations.append(Delegation(machine: kept.model.vpxis[kept.vpxi].machines[planned.machine].name, cert: cert,
                                                          body: ["sequence", cert.sexp, try cert.sign(with: alice).sexp]))
                        case 2:
                            recorded[planned.hex] = ["sequence", planned.cert.sexp, try planned.cert.sign(with: alice).sexp]
                        default:
                            pending += 1
                        }
                    }
                    delegated += delegations.count
                    recordedCount += recorded.count
                    let at = epoch.start - 60
                    let new = try EpochIssue.issue(kept, epoch: epoch, at: at, bundleSource: service.bundleSource, recorded: recorded,
                                                   delegations: delegations, cache: variant % 2 == 0 ? service.renewalCache : nil)
                    let old = try Self.referenceIssue(try compile(variantText(policy, grants: grants)), epoch: epoch, at: at, bundleSource: service.bundleSource,
                                                      recorded: recorded, delegations: delegations)
                    assertSame(new, old, "variant \(variant) epoch \(index): \(grants)")
                }
            }
            XCTAssertGreaterThan(delegated, 0)
            XCTAssertGreaterThan(recordedCount, 0)
            XCTAssertGreaterThan(pending, 0)
        }
    }

    /// A few grants beside alice's: to erin directly or via alice, some machines, some
    /// rights, sometimes for part of the window only.
    static func randomGrants(_ random: inout TestRandomBits, start: Int64) -> [String] {
        var grants: [String] = []
        for _ in 0..<(1 + Int(random.next() % 3)) {
            let via = random.next() % 2 == 0 ? " via alice" : ""
            let rights = ["ssh", "console", "ssh, console"][Int(random.next() % 3)]
            let first = 1 + Int(random.next() % 4)
            let last = min(4, first + Int(random.next() % 2))
            let targets = random.next() % 4 == 0 ? "all" : "node[\(first)..\(last)]"
            var during = ""
            if random.next() % 2 == 0 {
                let from = start + Int64(random.next() % 8) * 3600
                let to = from + 3600 + Int64(random.next() % 10) * 1800
                during = " during \(SPKIDate(secondsSinceEpoch: from).rfc3339) .. \(SPKIDate(secondsSinceEpoch: min(to, start + 86000)).rfc3339)"
            }
            grants.append("grant erin\(via) \(rights) on \(targets)\(during)")
        }
        return grants
    }
}

/// A deterministic xorshift generator, so that a failure names a reproducible case.
struct TestRandomBits {
    var state: UInt64
    init(seed: UInt64) { state = seed | 1 }
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}
