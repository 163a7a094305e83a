import SExpr
import SPKI
import XCTest

/// Explanations of a reduction that leaves nothing, each sequence walked in its order.
final class SequenceExplainerTests: XCTestCase {
    typealias F = Fixtures

    func failure(_ certs: [Cert], request: SequenceExplainer.Request = .init(), file: StaticString = #filePath, line: UInt = #line) -> Refusal.PartialChain? {
        let refusal = SequenceExplainer.explain(acl: F.acl("R"), bag: F.bag(certs), request: request)
        guard case .failingChains(let chains) = refusal.kind else {
            XCTFail("expected failing chains, got \(refusal)", file: file, line: line)
            return nil
        }
        return chains.first
    }

    func testEachReason() {
        XCTAssertEqual(failure([F.cert("R", "H"), F.cert("H", "U")])?.reason, .delegationNotAllowed)
        XCTAssertEqual(failure([F.cert("R", "H"), F.cert("H", "U")])?.failingLink, 1)
        XCTAssertEqual(failure([F.cert("R", "H", "(a)", propagate: true), F.cert("H", "U", "(b)")])?.reason,
                       .tagsDisjoint(tag: tag("(b)"), accumulated: tag("(a)")))
        XCTAssertEqual(failure([F.cert("R", "H", propagate: true, validity: F.validity(nil, "2026-01-01")),
                                F.cert("H", "U", validity: F.validity("2026-02-01", nil))])?.failingLink, 2)
        XCTAssertEqual(failure([F.cert("X", "U")])?.failingLink, 1, "the first issuer is not in the ACL")
        let late = failure([F.cert("R", "U", validity: F.validity(nil, "2026-01-01"))], request: .init(time: F.noon))
        XCTAssertEqual(late?.reason, .validityEnded(at: F.date("2026-01-01"), requested: F.noon))
        let tagged = failure([F.cert("R", "U", "(vm ssh)")], request: .init(tag: tag("(vm console)")))
        XCTAssertEqual(tagged?.reason, .tagExcludesRequest(tag: tag("(vm ssh)"), request: tag("(vm console)")))
    }

    func testOnlySubjectFilterLeft() {
        let refusal = SequenceExplainer.explain(acl: F.acl("R"), bag: F.bag([F.cert("R", "U")]),
                                                request: .init(subjects: [.principal(F.principal("V"))]))
        guard case .noPath(_, let to, _, _) = refusal.kind else { return XCTFail("expected no path, got \(refusal)") }
        XCTAssertEqual(to, .principal(F.principal("V")))
    }

    func testCertPathSharesItsPrefix() {
        var a = CertPath([1, 2, 3])
        let b = a
        a.append(4)
        XCTAssertEqual(a.indices, [1, 2, 3, 4])
        XCTAssertEqual(b.indices, [1, 2, 3])
        var c = b
        c.append(contentsOf: CertPath([3, 5]), skippingDuplicates: true)
        XCTAssertEqual(c.indices, [1, 2, 3, 5])
        // A very long path is released without deep recursion.
        var long = CertPath()
        for i in 0..<200_000 { long.append(i) }
        XCTAssertEqual(long.count, 200_000)
    }
}
