import SExpr
import SPKI
import XCTest

/// Chain discovery: chains found, and each reason for a refusal.
final class ChainFinderTests: XCTestCase {
    typealias F = Fixtures

    func find(_ certs: [Cert], acl: ACL = F.acl("R"), requester: String = "U", request: String = "(vm r1 ssh)",
              at time: SPKIDate = F.noon) -> ChainFinder.Outcome {
        ChainFinder(acl: acl, bag: F.bag(certs)).find(requester: F.principal(requester), request: tag(request), at: time)
    }

    func chains(_ outcome: ChainFinder.Outcome, file: StaticString = #filePath, line: UInt = #line) -> [Refusal.PartialChain] {
        guard case .refused(let refusal) = outcome, case .failingChains(let chains) = refusal.kind else {
            XCTFail("expected failing chains, got \(outcome)", file: file, line: line)
            return []
        }
        return chains
    }

    func testFindsTheChainInPresentationOrder() {
        let certs = [F.cert("H1", "U", "(vm r1 ssh)"), F.cert("X", "Y", propagate: true), F.cert("R", "H2", propagate: true),
                     F.cert("H2", "H1", "(vm r1)", propagate: true)]
        guard case .authorized(let chain) = find(certs) else { return XCTFail("should be authorized") }
        XCTAssertEqual(chain.certs, [2, 3, 0])
        XCTAssertEqual(chain.tag, tag("(vm r1 ssh)"))
    }

    func testTheACLItselfMayNameTheRequester() {
        guard case .authorized(let chain) = find([], acl: F.acl("U", propagate: false)) else { return XCTFail("should be authorized") }
        XCTAssertTrue(chain.certs.isEmpty)
    }

    func testNoPath() {
        guard case .refused(let refusal) = find([F.cert("R", "H", propagate: true), F.cert("X", "U")]),
              case .noPath(_, _, let reachable, let reaching) = refusal.kind else { return XCTFail("expected no path") }
        XCTAssertEqual(reachable, 2, "R and H")
        XCTAssertEqual(reaching, 1, "X")
    }

    func testDelegationNotAllowedAtLink() {
        let failing = chains(find([F.cert("R", "H"), F.cert("H", "U")]))
        XCTAssertEqual(failing.first?.failingLink, 1)
        XCTAssertEqual(failing.first?.reason, .delegationNotAllowed)
        XCTAssertEqual(failing.first?.links, [.aclEntry(0), .cert(0), .cert(1)])
    }

    func testTagAtLinkDoesNotIncludeTheRequest() {
        let failing = chains(find([F.cert("R", "H", "(vm r1 console)", propagate: true), F.cert("H", "U")]))
        XCTAssertEqual(failing.first?.failingLink, 1)
        XCTAssertEqual(failing.first?.reason, .tagExcludesRequest(tag: tag("(vm r1 console)"), request: tag("(vm r1 ssh)")))
    }

    func testValidityEnded() {
        let failing = chains(find([F.cert("R", "H", propagate: true), F.cert("H", "U", validity: F.validity(nil, "2026-12-01_00:00:00"))]))
        XCTAssertEqual(failing.first?.failingLink, 2)
        XCTAssertEqual(failing.first?.reason, .validityEnded(at: F.date("2026-12-01_00:00:00"), requested: F.noon))
        let early = chains(find([F.cert("R", "H", propagate: true, validity: F.validity("2027-01-01", nil)), F.cert("H", "U")]))
        XCTAssertEqual(early.first?.reason, .notYetValid(from: F.date("2027-01-01"), requested: F.noon))
    }

    func testUnsignedCertsAreNotUsedWhenSignaturesAreChecked() {
        var builder = CertBag.Builder()
        try! builder.add(F.cert("R", "U"), signature: nil, origin: "loose")
        let bag = builder.build(checkSignatures: true)
        let outcome = ChainFinder(acl: F.acl("R"), bag: bag).find(requester: F.principal("U"), request: tag("(x)"), at: F.noon)
        XCTAssertEqual(chains(outcome).first?.reason, .signature(problem: "no signature covers it"))
    }

    func testTheClosestChainsComeFirst() {
        // Two ways: one fails at link 1 (tag), the other at link 2 (validity).
        let certs = [F.cert("R", "A", "(other)", propagate: true), F.cert("A", "U"),
                     F.cert("R", "B", propagate: true), F.cert("B", "U", validity: F.validity(nil, "2026-01-01"))]
        let failing = chains(find(certs, acl: ACL(entries: F.acl("R").entries + F.acl("R").entries)))
        XCTAssertGreaterThanOrEqual(failing.count, 2)
        XCTAssertEqual(failing.first?.failingLink, 2)
    }

    func testCyclesAndThresholds() {
        let threshold = Subject.threshold(k: 2, ["A", "B"].map { .principal(F.principal($0)) })
        let certs = [Cert(issuer: F.principal("R"), subject: threshold, tag: tag("(*)"), propagate: true),
                     F.cert("A", "B", propagate: true), F.cert("B", "A", propagate: true),
                     F.cert("A", "U"), F.cert("B", "U")]
        guard case .authorized(let chain) = find(certs) else { return XCTFail("should be authorized") }
        XCTAssertEqual(Set(chain.certs), [0, 3, 4])
        // B reaches U through A: both members do.
        guard case .authorized = find(Array(certs.prefix(4))) else { return XCTFail("B reaches U through A") }
        guard case .refused = find([certs[0], certs[3]]) else { return XCTFail("one member is not enough") }
    }

    func testNamesResolveAtTheTimeOfTheRequest() {
        let staff = SExpr.Atom("staff")
        let certs = [Cert(issuer: F.principal("R"), subject: .name(SDSIName(principal: F.principal("R"), names: [staff])), tag: tag("(*)")),
                     Cert(nameCertBy: F.principal("R"), name: staff, subject: .principal(F.principal("U")), validity: F.validity(nil, "2026-12-31"))]
        guard case .authorized(let chain) = find(certs) else { return XCTFail("should be authorized") }
        XCTAssertEqual(Set(chain.certs), [0, 1])
        guard case .refused = find(certs, at: F.date("2027-02-01")) else { return XCTFail("the name cert has expired") }
    }

    func testDiscoveryScalesLinearly() {
        // 20,000 certs in a layered graph with many cycles: answers quickly.
        var certs: [Cert] = []
        for i in 0..<2000 {
            for j in 1...10 { certs.append(F.cert("P\(i)", "P\((i * 7 + j * 13) % 2000)", "(vm (* set a b))", propagate: true)) }
        }
        certs.append(F.cert("P1999", "U", "(vm a)"))
        let finder = ChainFinder(acl: F.acl("P0"), bag: F.bag(certs))
        let start = ContinuousClock.now
        guard case .authorized(let chain) = finder.find(requester: F.principal("U"), request: tag("(vm a)"), at: F.noon) else {
            return XCTFail("should be authorized")
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
        XCTAssertEqual(chain.certs.last, certs.count - 1)
    }
}
