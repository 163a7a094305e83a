import XCTest
import SExpr
import SPKI
@testable import PolicyCompiler

/// The planner writes each cert's canonical bytes straight from its parts (`CertBytesWriter`):
/// they must be exactly the canonical form of the cert's value, which signatures cover.
final class CertBytesWriterTests: XCTestCase {
    /// Every cert of every example, at the fixture's time and at every epoch of each vpxi.
    func testTheExamplesPlannedBytesAreTheCertsCanonicalForm() throws {
        for name in CompileFixture.examples {
            let ir = try CompileFixture.ir(name)
            let planner = CertPlanner(ir: ir)
            var plans = [planner.plan(at: CompileFixture.at)]
            for (v, vpxi) in ir.model.vpxis.enumerated() {
                plans += vpxi.schedule.epochs.map { planner.plan(vpxi: v, epoch: $0) }
            }
            var count = 0
            for planned in plans.flatMap(\.certs) {
                XCTAssertEqual(planned.canonical, planned.cert.sexp.canonical, "\(name): \(planned.hex)")
                count += 1
            }
            XCTAssertGreaterThan(count, 0, name)
        }
    }

    /// Fields the planner never sets, a name subject, one key spelled two ways, no validity:
    /// the same bytes as the cert's value.
    func testUnusualCertsFallBackOrMatch() {
        let key = LargePolicy.fakeKey(1).principal
        let other = LargePolicy.fakeKey(2).principal
        let hashed = try! Principal(parsing: key.sha256Hash)
        var writer = CertBytesWriter()
        var certs = [
            Cert(issuer: key, subject: .principal(other), tag: .all, propagate: true),
            Cert(issuer: hashed, subject: .principal(key), tag: .atom(SExpr.Atom("x")),
                 validity: Validity(notBefore: SPKIDate(secondsSinceEpoch: 1_796_112_000), notAfter: nil)),
            Cert(issuer: key, subject: .principal(hashed), tag: .all, comment: .string("c")),
        ]
        var versioned = Cert(issuer: other, subject: .principal(key), tag: .all)
        versioned.version = SExpr.Atom("0")
        certs.append(versioned)
        for cert in certs + certs {
            XCTAssertEqual(writer.canonical(cert), cert.sexp.canonical, cert.sexp.description)
        }
    }
}
