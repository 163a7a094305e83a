import SExpr
import SPKI
import XCTest

/// 5-tuple reduction, name reduction, thresholds, cycles; the paper's three flows.
final class ReducerTests: XCTestCase {
    typealias F = Fixtures

    func terminal(_ tuples: [AuthTuple], _ name: String) -> [AuthTuple] {
        tuples.filter { $0.subject.principal?.id == F.principal(name).id && !$0.certs.isEmpty }
    }

    func testFiveTupleReductionIntersectsTagsAndValidity() {
        let acl = AuthTuple(entry: ACL.Entry(subject: .principal(F.principal("H")), propagate: true,
                                             tag: tag("(ftp (* set read write))"), validity: F.validity("2026-01-01", "2026-12-31")), index: 0)
        let cert = AuthTuple(cert: F.cert("H", "U", "(ftp read)", validity: F.validity("2026-06-01", nil)), index: 0)!
        guard case .success(let reduced) = acl.reduced(with: cert) else { return XCTFail("should reduce") }
        XCTAssertNil(reduced.issuer)
        XCTAssertEqual(reduced.subject, .principal(F.principal("U")))
        XCTAssertFalse(reduced.propagate)
        XCTAssertEqual(reduced.tag, tag("(ftp read)"))
        XCTAssertEqual(reduced.validity, F.validity("2026-06-01", "2026-12-31"))
    }

    func testReductionFailures() {
        let entry = { (propagate: Bool, tagText: String, v: Validity) in
            AuthTuple(entry: ACL.Entry(subject: .principal(F.principal("H")), propagate: propagate, tag: tag(tagText), validity: v), index: 0)
        }
        let cert = AuthTuple(cert: F.cert("H", "U", "(ftp read)", validity: F.validity("2026-06-01", nil)), index: 0)!
        XCTAssertEqual(entry(false, "(*)", .always).reduced(with: cert), .failure(.delegationNotAllowed))
        XCTAssertEqual(entry(true, "(http)", .always).reduced(with: cert), .failure(.tagsDisjoint))
        XCTAssertEqual(entry(true, "(*)", F.validity(nil, "2026-01-01")).reduced(with: cert), .failure(.validityDisjoint))
        let other = AuthTuple(cert: F.cert("X", "U"), index: 1)!
        XCTAssertEqual(entry(true, "(*)", .always).reduced(with: other), .failure(.subjectMismatch))
    }

    /// Paper §4.2.1: <R,H,A,*,V> kept by H, <H,U,A,-,V'> given to U; R reduces against its ACL.
    func testBasicScenario() {
        let bag = F.bag([F.cert("R", "H", "(vm r1 (* set ssh console))", propagate: true, validity: F.validity("2026-12-01", "2026-12-31")),
                         F.cert("H", "U", "(vm r1 ssh)", validity: F.validity("2026-12-02", "2026-12-03"))])
        let acl = ACL(entries: [ACL.Entry(subject: .principal(F.principal("R")), propagate: true)])
        let tuples = Reducer(bag: bag).closure(from: acl.entries.enumerated().map { AuthTuple(entry: $1, index: $0) })
        let forU = terminal(tuples, "U")
        XCTAssertEqual(forU.count, 1)
        XCTAssertEqual(forU.first?.tag, tag("(vm r1 ssh)"))
        XCTAssertEqual(forU.first?.validity, F.validity("2026-12-02", "2026-12-03"))
        XCTAssertEqual(forU.first?.certs, [0, 1])
        XCTAssertFalse(forU.first?.propagate ?? true)
    }

    /// Paper §4.2.2: <R,H2,A,*>, <H2,H1,A,*>, <H1,U,A,->.
    func testSeveralRegistrars() {
        let bag = F.bag([F.cert("H1", "U", "(vm r1 ssh)"), F.cert("R", "H2", propagate: true), F.cert("H2", "H1", "(vm r1)", propagate: true)])
        let tuples = Reducer(bag: bag).closure(from: [AuthTuple(entry: F.acl("R").entries[0], index: 0)])
        XCTAssertEqual(terminal(tuples, "U").first?.certs, [1, 2, 0])
        // Without delegation at H2, U gets nothing.
        let broken = F.bag([F.cert("H1", "U", "(vm r1 ssh)"), F.cert("R", "H2", propagate: true), F.cert("H2", "H1", "(vm r1)")])
        XCTAssertTrue(terminal(Reducer(bag: broken).closure(from: [AuthTuple(entry: F.acl("R").entries[0], index: 0)]), "U").isEmpty)
    }

    /// Paper §4.2.3: <H,U1,A,*>, <U1,U2,A,-> presented by U2.
    func testSecondaryUser() {
        let bag = F.bag([F.cert("H", "U1", "(vm r1 (* set ssh scp))", propagate: true), F.cert("U1", "U2", "(vm r1 ssh)")])
        let tuples = Reducer(bag: bag).closure(from: [AuthTuple(entry: F.acl("H").entries[0], index: 0)])
        XCTAssertEqual(terminal(tuples, "U2").first?.tag, tag("(vm r1 ssh)"))
    }

    func testNameReduction() {
        let friends = SExpr.Atom("friends"), staff = SExpr.Atom("staff")
        // R calls "friends" whatever H calls "staff"; H's staff is U.
        let nameCerts = [
            Cert(nameCertBy: F.principal("R"), name: friends, subject: .name(SDSIName(principal: F.principal("H"), names: [staff]))),
            Cert(nameCertBy: F.principal("H"), name: staff, subject: .principal(F.principal("U")), validity: F.validity(nil, "2027-01-01")),
        ]
        let grant = Cert(issuer: F.principal("R"), subject: .name(SDSIName(principal: nil, names: [friends])), tag: tag("(ftp)"))
        let bag = F.bag(nameCerts + [grant])
        let tuples = Reducer(bag: bag).closure(from: [AuthTuple(entry: F.acl("R").entries[0], index: 0)])
        let forU = terminal(tuples, "U")
        XCTAssertEqual(forU.count, 1)
        XCTAssertEqual(forU.first?.tag, tag("(ftp)"))
        XCTAssertEqual(forU.first?.validity.notAfter, F.date("2027-01-01"))
        XCTAssertEqual(Set(forU.first?.certs ?? []), [0, 1, 2])
        // The 4-tuple rewrite rule itself.
        let tuple = NameTuple(cert: nameCerts[0], index: 0)!
        let rewritten = tuple.rewrite(SDSIName(principal: F.principal("R"), names: [friends, SExpr.Atom("x")]))
        XCTAssertEqual(rewritten, .name(SDSIName(principal: F.principal("H"), names: [staff, SExpr.Atom("x")])))
        XCTAssertNil(tuple.rewrite(SDSIName(principal: F.principal("H"), names: [friends])))
    }

    func testNameCyclesTerminate() {
        let a = SExpr.Atom("a"), b = SExpr.Atom("b")
        let bag = F.bag([
            Cert(nameCertBy: F.principal("K"), name: a, subject: .name(SDSIName(principal: F.principal("K"), names: [b]))),
            Cert(nameCertBy: F.principal("K"), name: b, subject: .name(SDSIName(principal: F.principal("K"), names: [a]))),
        ])
        XCTAssertTrue(NameResolver(bag: bag).resolve(.name(SDSIName(principal: F.principal("K"), names: [a]))).isEmpty)
    }

    func testThresholdNeedsKMembers() {
        let threshold = Subject.threshold(k: 2, ["A", "B", "C"].map { .principal(F.principal($0)) })
        let grant = Cert(issuer: F.principal("R"), subject: threshold, tag: tag("(door (* set open close))"), propagate: true)
        let two = F.bag([grant, F.cert("A", "U", "(door open)"), F.cert("B", "U", "(door)")])
        let tuples = Reducer(bag: two).closure(from: [AuthTuple(entry: F.acl("R").entries[0], index: 0)])
        let forU = terminal(tuples, "U")
        XCTAssertEqual(forU.count, 1)
        XCTAssertEqual(forU.first?.tag, tag("(door open)"), "the intersection of the branches")
        let one = F.bag([grant, F.cert("A", "U", "(door open)")])
        XCTAssertTrue(terminal(Reducer(bag: one).closure(from: [AuthTuple(entry: F.acl("R").entries[0], index: 0)]), "U").isEmpty)
    }

    func testDelegationCyclesTerminate() {
        let bag = F.bag([F.cert("A", "B", "(x (* set a b))", propagate: true), F.cert("B", "A", "(x (* set a c))", propagate: true),
                         F.cert("B", "U", "(x)")])
        let tuples = Reducer(bag: bag).closure(from: [AuthTuple(entry: F.acl("A").entries[0], index: 0)])
        XCTAssertLessThan(tuples.count, 10)
        XCTAssertEqual(terminal(tuples, "U").first?.tag, tag("(x (* set a b))"))
    }

    func testLongChainReduces() {
        let names = (0...1000).map { "P\($0)" }
        let certs = (0..<1000).map { F.cert(names[$0], names[$0 + 1], "(x)", propagate: true) }
        let tuples = Reducer(bag: F.bag(certs)).closure(from: [AuthTuple(entry: F.acl("P0").entries[0], index: 0)])
        XCTAssertEqual(terminal(tuples, "P1000").first?.certs.count, 1000)
    }
}
