import Hashing
import RSA
import SExpr
import SPKI
import XCTest

/// A signed chain read from canonical input, as a verifier meets it: every issuer key new,
/// the same tag on every link. Checks what the fast paths must not change: the statuses,
/// the origins, the reduction, and the tags shared between certs.
final class ChainCheckTests: XCTestCase {
    static let keys: [RSAKeyFile] = (0..<6).map { _ in RSAKeyFile(privateKey: try! RSAKeyGenerator.generate(bits: 2048)) }
    static let grant = tag("(vpxi bench (resource r1) (* set ssh console (file (* set read write) (* prefix /data/))))").normalized

    func chainBytes(tags: [Tag]? = nil) throws -> [UInt8] {
        var items: [SPKISequence.Item] = []
        for i in 0..<(Self.keys.count - 1) {
            let cert = Cert(issuer: Principal(key: Self.keys[i]), subject: .principal(Principal(key: Self.keys[i + 1])),
                            tag: tags?[i] ?? Self.grant, propagate: true)
            items += [.cert(cert), .signature(try cert.sign(with: Self.keys[i]))]
        }
        return SPKISequence(items: items).sexp.canonical
    }

    func read(_ bytes: [UInt8]) throws -> SPKISequence {
        var warnings: [SPKIWarning] = []
        return try SPKISequence(parsing: SExprParser().parse(bytes), warnings: &warnings)
    }

    func certs(_ sequence: SPKISequence) -> [Cert] {
        sequence.items.compactMap { if case .cert(let cert) = $0 { return cert } else { return nil } }
    }

    func testEveryLinkVerifiesAndReducesToTheLastKey() throws {
        let sequence = try read(chainBytes())
        var builder = CertBag.Builder()
        try builder.add(sequence, origin: "chain.sexp")
        let bag = builder.build()
        XCTAssertEqual(bag.entries.map(\.status), Array(repeating: .verified(legacy: nil), count: Self.keys.count - 1))
        XCTAssertEqual(bag.entries.map(\.origin), [1, 3, 5, 7, 9].map { "chain.sexp, item \($0)" })
        XCTAssertEqual(bag.keys.count, Self.keys.count)
        let acl = ACL(entries: [ACL.Entry(subject: .principal(Principal(key: Self.keys[0])), propagate: true)])
        let tuples = Reducer(bag: bag).closure(from: acl.entries.enumerated().map { AuthTuple(entry: $1, index: $0) })
        let last = try XCTUnwrap(tuples.last)
        XCTAssertEqual(last.subject, .principal(Principal(key: Self.keys.last!)))
        XCTAssertEqual(last.certs, Array(0..<(Self.keys.count - 1)))
        XCTAssertEqual(last.tag, Self.grant)
    }

    func testIdenticalTagsAreSharedAndStillEqual() throws {
        let narrower = tag("(vpxi bench (resource r1) ssh)").normalized
        let tags = [Self.grant, Self.grant, narrower, Self.grant, narrower]
        let read = certs(try read(chainBytes(tags: tags)))
        XCTAssertEqual(read.map(\.tag), tags)
        // Shared: the same list storage for the same bytes (the first cert's value).
        func storage(_ tag: Tag?) -> [Tag]? { if case .list(_, let elements)? = tag { return elements } else { return nil } }
        func same(_ a: Cert, _ b: Cert) -> Bool {
            guard let x = storage(a.tag), let y = storage(b.tag) else { return false }
            return x.withUnsafeBufferPointer { p in y.withUnsafeBufferPointer { q in p.baseAddress == q.baseAddress } }
        }
        XCTAssertTrue(same(read[0], read[1]))
        XCTAssertTrue(same(read[0], read[3]))
        XCTAssertTrue(same(read[2], read[4]))
        XCTAssertFalse(same(read[0], read[2]))
        // The reduction narrows at the third link and keeps the narrower tag.
        var builder = CertBag.Builder()
        try builder.add(SPKISequence(items: try self.read(chainBytes(tags: tags)).items), origin: "chain")
        let bag = builder.build()
        let acl = ACL(entries: [ACL.Entry(subject: .principal(Principal(key: Self.keys[0])), propagate: true)])
        let last = try XCTUnwrap(Reducer(bag: bag).closure(from: [AuthTuple(entry: acl.entries[0], index: 0)]).last)
        XCTAssertEqual(last.tag, narrower)
        XCTAssertEqual(last.certs.count, Self.keys.count - 1)
    }

    func testABrokenLinkIsNamedAndStopsTheChain() throws {
        var bytes = try chainBytes()
        // Flip one byte of the third signature's value (the last bytes before its closing
        // parentheses are signature bytes).
        let sequence = try read(bytes)
        guard case .signature(let third) = sequence.items[5] else { return XCTFail("expected a signature") }
        let position = try XCTUnwrap(bytes.indices.first { bytes[$0...].starts(with: third.signature) })
        bytes[position + 10] ^= 0x01
        var builder = CertBag.Builder()
        try builder.add(try read(bytes), origin: "chain")
        let bag = builder.build()
        XCTAssertEqual(bag.entries.map(\.status.isUsable), [true, true, false, true, true])
        XCTAssertNotNil(bag.entries[2].status.problem)
        let acl = ACL(entries: [ACL.Entry(subject: .principal(Principal(key: Self.keys[0])), propagate: true)])
        let tuples = Reducer(bag: bag).closure(from: [AuthTuple(entry: acl.entries[0], index: 0)])
        XCTAssertEqual(tuples.last?.certs, [0, 1], "the chain stops before the bad link")
    }
}
