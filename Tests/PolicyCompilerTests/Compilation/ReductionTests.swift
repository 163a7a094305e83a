import Foundation
import SExpr
import SPKI
import TestSupport
import XCTest
@testable import PolicyCompiler

/// Every chain of every example, read back from the output, verifies and reduces with the
/// SPKI reducer against its machine's ACL to exactly the intended grant: the user gets
/// the tag of their own grants on that machine (never more), propagate only when they
/// delegate, for the epoch cut by their grant's window.
final class ReductionTests: XCTestCase {
    /// What the policy intends for user `u` on machine `m` of vpxi `v` in an epoch,
    /// computed from the grants alone.
    static func intended(_ ir: InfrastructureIR, v: Int, m: Int, user: Int, epoch: RenewalSchedule.Epoch) -> (tag: Tag, propagate: Bool, validity: [TimeWindow])? {
        let vpxi = ir.model.vpxis[v]
        let grants = vpxi.grants.filter { $0.user == user && $0.targets.contains(m) && !epoch.validity.intersection($0.window).isEmpty }
        guard !grants.isEmpty else { return nil }
        let rights = TagVocabulary.grantTag(grants.flatMap(\.rights))
        let delegates = vpxi.grants.contains { $0.via == user && $0.targets.contains(m) }
        return (TagVocabulary.resourceTag(vpxi: vpxi.name, resource: ir.keys.machines[v][m], rights: rights), delegates,
                grants.map { epoch.validity.intersection($0.window) })
    }

    func testEveryChainOfEveryExampleReducesToExactlyTheIntendedGrant() throws {
        for name in CompileFixture.examples {
            let ir = try CompileFixture.ir(name)
            let output = try CompileFixture.temporaryDirectory(self) + "/out"
            let result = try Compilation(ir: ir, at: CompileFixture.at, policyName: name).run(output: output, format: .advanced)
            var checked = 0
            for chain in result.plan.chains {
                let vpxi = ir.model.vpxis[chain.vpxi]
                let user = ir.model.users[chain.user]
                let machine = vpxi.machines[chain.machine].name
                let context = "\(name): \(user.name) on \(machine)"
                // Read the files back, as a verifier would.
                let acl = try ACL(parsing: try SExpr.parse(try CompileFixture.acl(output, "\(vpxi.name)/\(machine)")), warnings: &Self.ignored)
                let key = OutputLayout.chainKey(user: user.name, vpxi: vpxi.name, machine: machine)
                let sequence = try SPKISequence(parsing: try SExpr.parse(try CompileFixture.chain(output, key)), warnings: &Self.ignored)
                var builder = CertBag.Builder()
                try builder.add(sequence, origin: context)
                let bag = builder.build(checkSignatures: true)
                for entry in bag.entries {
                    guard case .verified(legacy: nil) = entry.status else { return XCTFail("\(context): \(entry.status)") }
                }
                let tuples = Reducer(bag: bag).closure(from: acl.entries.enumerated().map { AuthTuple(entry: $0.element, index: $0.offset) })
                let mine = tuples.filter { $0.subject.principal?.id == user.key.id }
                let epoch = try XCTUnwrap(result.plan.epochs[chain.vpxi])
                let expected = try XCTUnwrap(Self.intended(ir, v: chain.vpxi, m: chain.machine, user: chain.user, epoch: epoch), context)
                XCTAssertFalse(mine.isEmpty, "\(context): the chain grants the user nothing")
                for tuple in mine {
                    XCTAssertTrue(expected.tag.includes(tuple.tag), "\(context): \(tuple.tag) is beyond the grant \(expected.tag)")
                    XCTAssertEqual(tuple.propagate, expected.propagate, "\(context): propagate")
                    let window = TimeWindow(start: tuple.validity.notBefore!.secondsSinceEpoch, end: tuple.validity.notAfter!.secondsSinceEpoch)
                    XCTAssertTrue(expected.validity.contains(window), "\(context): validity \(window)")
                }
                // Together the user's tuples give exactly the grant.
                XCTAssertEqual(Tag.set(mine.map(\.tag)).normalized, expected.tag, context)
                checked += 1
            }
            XCTAssertEqual(checked, result.plan.chains.count)
        }
    }

    func testEveryCertFileVerifies() throws {
        let ir = try CompileFixture.ir("two-registrars")
        let output = try CompileFixture.temporaryDirectory(self) + "/out"
        let result = try Compilation(ir: ir, at: CompileFixture.at, policyName: "x").run(output: output, format: .advanced)
        var builder = CertBag.Builder()
        for vpxi in ir.model.vpxis {
            let path = OutputLayout.certs(vpxi: vpxi.name)
            try builder.add(try SPKISequence(parsing: try SExpr.parse(try Self.read(output, path)), warnings: &Self.ignored), origin: path)
        }
        let bag = builder.build(checkSignatures: true)
        XCTAssertEqual(bag.entries.count, result.plan.certs.count)
        for entry in bag.entries { XCTAssertTrue(entry.status.isUsable, "\(entry.origin): \(entry.status)") }
    }

    func testATamperedCertIsRefused() throws {
        let ir = try CompileFixture.ir("with-include")
        let output = try CompileFixture.temporaryDirectory(self) + "/out"
        let result = try Compilation(ir: ir, at: CompileFixture.at, policyName: "x").run(output: output, format: .advanced)
        let chain = result.plan.chains[0]
        let path = output + "/" + OutputLayout.chains(user: "erin", vpxi: "tiny")
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "(tag\n   (vpxi tiny", with: "(tag\n   (vpxi tinx")
        var builder = CertBag.Builder()
        try builder.add(try SPKISequence(parsing: try SExpr.parse(Array(text.utf8)), warnings: &Self.ignored), origin: "tampered")
        let bag = builder.build(checkSignatures: true)
        XCTAssertTrue(bag.entries.contains { !$0.status.isUsable }, "a changed tag must break a signature")
        XCTAssertEqual(chain.certs.count, 2)
    }

    func testAGrantRemovedLeavesNoChainAndACannotHolds() throws {
        let text = Fixtures.vpxi("""
              cluster w[2]
              grant alice ssh on w
              test {
                expect bob cannot ssh on w[1] at 2026-12-01T10:00Z
                expect alice can ssh on w[1] at 2026-12-01T10:00Z
                expect alice cannot console on w[1] at 2026-12-01T10:00Z
              }
            """)
        let ir = try Self.generatedIR(text, test: self)
        let outcomes = ExpectationChecker.check(ir, at: CompileFixture.at)
        XCTAssertEqual(outcomes.map(\.passed), [true, true, true], outcomes.compactMap(\.detail).joined(separator: "\n"))
        let plan = CertPlanner(ir: ir).plan(at: CompileFixture.at)
        XCTAssertTrue(plan.chains.allSatisfy { $0.user == 0 }, "bob has no grant, so no chain")
        // The same expectations against a policy that grants bob: the `cannot` fails.
        let granted = try Self.generatedIR(text.replacingOccurrences(of: "grant alice ssh on w", with: "grant alice ssh on w\ngrant bob ssh on w"), test: self)
        let failed = ExpectationChecker.check(granted, at: CompileFixture.at)
        XCTAssertEqual(failed.map(\.passed), [false, true, true])
        XCTAssertTrue(failed[0].detail?.contains("a chain of 2 certs grants it") ?? false, failed[0].detail ?? "")
        XCTAssertEqual(ExpectationChecker.diagnostics(failed).map(\.code.rawValue), ["E0130"])
    }

    /// The IR of policy text, with machine keys generated in a temporary store.
    static func generatedIR(_ text: String, test: XCTestCase) throws -> InfrastructureIR {
        let (_, result) = Fixtures.analyze(text)
        XCTAssertFalse(result.hasErrors, result.diagnostics.map(\.message).joined())
        let placement = Placer.place(result.model)
        let store = KeyStoreDirectory(directories: [try CompileFixture.temporaryDirectory(test), PackagePaths.corpus("keys").path])
        let keys = try ResolvedKeys.resolve(result.model, store: store, generateMissing: true)
        return InfrastructureIR(model: result.model, placement: placement, keys: keys)
    }

    nonisolated(unsafe) static var ignored: [SPKIWarning] = []

    static func read(_ root: String, _ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative)))
    }
}
