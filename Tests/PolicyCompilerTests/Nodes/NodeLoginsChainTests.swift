import Backends
import RSA
import SExpr
import SPKI
import XCTest
@testable import PolicyCompiler

/// The logins' chains (`NodeLogins.logins`: each signature's canonical bytes written when a
/// complete chain first needs them, none for a chain left pending) against chains built
/// from `SExpr` values: `(sequence CERT SIGNATURE ...)` of the plan's certs and their
/// signatures, for every login of every example; and a login whose chain lacks a signature
/// stays pending while the others of the same certs are complete.
final class NodeLoginsChainTests: XCTestCase {
    func testEveryLoginsChainIsItsCertsAndSignaturesInOrder() throws {
        var checked = 0
        for name in CompileFixture.examples {
            let ir = try CompileFixture.ir(name)
            let plan = CertPlanner(ir: ir).plan(at: CompileFixture.at)
            let signatures = try CertSigner.sign(plan, signers: ir.keys.signers).signatures
            let vmNames = ir.model.vpxis.map { vpxi in vpxi.machines.map { "\(vpxi.name)-\($0.name)" } }
            let (logins, pending) = try NodeLogins.logins(ir, plan: plan, vmNames: vmNames, signatures: NodeLogins.Signatures(known: signatures, signers: [:]))
            var expected: [String: [UInt8]] = [:]
            for chain in plan.chains where chain.certs.allSatisfy({ signatures[$0] != nil }) {
                let items: [SExpr] = chain.certs.flatMap { [plan.certs[$0].cert.sexp, signatures[$0]!.sexp] }
                expected["\(ir.model.users[chain.user].name) \(vmNames[chain.vpxi][chain.machine])"] = SExpr.list(["sequence"] + items).canonical
            }
            for login in logins {
                XCTAssertEqual(login.chainCanonical, expected["\(login.user) \(login.vm)"], "\(name): \(login.user) on \(login.vm)")
                checked += 1
            }
            for login in pending {
                XCTAssertNil(expected["\(login.user) \(login.vpxi)-\(login.machine)"], "\(name): \(login) has every signature")
            }
        }
        XCTAssertGreaterThan(checked, 50)
    }

    /// Without the signature of one user cert, that user's login on its machine is pending;
    /// the other logins keep their chains, written from the signatures they have.
    func testAMissingSignatureLeavesOnlyItsLoginsPending() throws {
        let ir = try CompileFixture.ir("bronze-standard")
        let plan = CertPlanner(ir: ir).plan(at: CompileFixture.at)
        var signatures = try CertSigner.sign(plan, signers: ir.keys.signers).signatures
        let vmNames = ir.model.vpxis.map { vpxi in vpxi.machines.map { "\(vpxi.name)-\($0.name)" } }
        let all = try NodeLogins.logins(ir, plan: plan, vmNames: vmNames, signatures: NodeLogins.Signatures(known: signatures, signers: [:]))
        let dropped = try XCTUnwrap(plan.certs.indices.first { plan.certs[$0].flow == .registrarToUser })
        signatures[dropped] = nil
        let some = try NodeLogins.logins(ir, plan: plan, vmNames: vmNames, signatures: NodeLogins.Signatures(known: signatures, signers: [:]))
        let affected = plan.chains.filter { $0.certs.contains(dropped) }
        XCTAssertFalse(some.pending.isEmpty)
        XCTAssertLessThanOrEqual(some.pending.count, affected.count)
        XCTAssertEqual(some.logins.count + some.pending.count, all.logins.count)
        let before = Dictionary(all.logins.map { ("\($0.user) \($0.vm)", $0.chainCanonical) }, uniquingKeysWith: { a, _ in a })
        for login in some.logins {
            XCTAssertEqual(login.chainCanonical, before["\(login.user) \(login.vm)"], "\(login.user) on \(login.vm)")
        }
    }
}
