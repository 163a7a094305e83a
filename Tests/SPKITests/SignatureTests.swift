import Hashing
import RSA
import SExpr
import SPKI
import XCTest

/// Certs signed with real keys: verified, tampered, by hash principals, legacy hashes.
final class SignatureTests: XCTestCase {
    static let keys: [RSAKeyFile] = (0..<3).map { _ in RSAKeyFile(privateKey: try! RSAKeyGenerator.generate(bits: 2048)) }

    func bag(_ items: [SPKISequence.Item], keys: KeyStore = KeyStore()) throws -> CertBag {
        var builder = CertBag.Builder(keys: keys)
        try builder.add(SPKISequence(items: items), origin: "test")
        return builder.build()
    }

    func testSignedChainVerifiesAndReduces() throws {
        let (r, h, u) = (Self.keys[0], Self.keys[1], Self.keys[2])
        let first = Cert(issuer: Principal(key: r), subject: .principal(Principal(key: h)), tag: tag("(vm (* set ssh scp))"), propagate: true)
        // The second cert names its issuer by hash; the key comes from the sequence.
        let hashed = try Principal(parsing: Principal(key: h).sha256Hash)
        let second = Cert(issuer: hashed, subject: .principal(try Principal(parsing: Principal(key: u).sha256Hash)), tag: tag("(vm ssh)"))
        let bag = try bag([.cert(first), .signature(try first.sign(with: r)), .publicKey(Principal(key: h)),
                           .cert(second), .signature(try second.sign(with: h))])
        XCTAssertEqual(bag.entries.map(\.status), [.verified(legacy: nil), .verified(legacy: nil)])
        let acl = ACL(entries: [ACL.Entry(subject: .principal(Principal(key: r)), propagate: true)])
        guard case .authorized(let chain) = ChainFinder(acl: acl, bag: bag).find(requester: Principal(key: u), request: tag("(vm ssh)"), at: Fixtures.noon) else {
            return XCTFail("should be authorized")
        }
        XCTAssertEqual(chain.certs, [0, 1])
        // The presented sequence carries the hashed issuer's key before its cert.
        let heads = chain.sequence(in: bag).items.map { $0.sexp.head ?? "" }
        XCTAssertEqual(heads, ["cert", "signature", "public-key", "cert", "signature"])
    }

    func testTamperedWrongKeyMissingKeyAndMissingSignature() throws {
        let (r, h) = (Self.keys[0], Self.keys[1])
        let cert = Cert(issuer: Principal(key: r), subject: .principal(Principal(key: h)), tag: tag("(vm)"))
        let signature = try cert.sign(with: r)
        var tampered = cert
        tampered.tag = tag("(vm all)")
        let tamperedBag = try bag([.cert(tampered), .signature(signature)])
        XCTAssertEqual(tamperedBag.entries[0].status, .missing, "the signature names another object by its hash")
        // A signature by another key over the right content.
        var forged = signature
        forged.principal = h.publicKeySExpr
        forged.signature = try RSASigner(key: h.requirePrivateKey()).sign(digest: signature.digest)
        guard case .invalid(let reason) = try bag([.cert(cert), .signature(forged)]).entries[0].status else { return XCTFail("should be invalid") }
        XCTAssertTrue(reason.contains("another key"), reason)
        // A flipped bit in the signature value.
        var flipped = signature
        flipped.signature[10] ^= 1
        guard case .invalid = try bag([.cert(cert), .signature(flipped)]).entries[0].status else { return XCTFail("should be invalid") }
        // The issuer named by hash, and the signature naming its signer by hash too: no key
        // anywhere, unless the key store has it. (A signature that carries the key is enough.)
        let byHash = Cert(issuer: try Principal(parsing: Principal(key: r).sha256Hash), subject: .principal(Principal(key: h)), tag: tag("(vm)"))
        var hashOnly = try byHash.sign(with: r)
        XCTAssertEqual(try bag([.cert(byHash), .signature(hashOnly)]).entries[0].status, .verified(legacy: nil))
        hashOnly.principal = Principal(key: r).sha256Hash
        XCTAssertEqual(try bag([.cert(byHash), .signature(hashOnly)]).entries[0].status, .keyUnknown)
        var store = KeyStore()
        store.add(key: r)
        XCTAssertEqual(try bag([.cert(byHash), .signature(hashOnly)], keys: store).entries[0].status, .verified(legacy: nil))
        XCTAssertEqual(try bag([.cert(cert)]).entries[0].status, .missing)
        XCTAssertThrowsError(try cert.sign(with: h), "only the issuer signs")
    }

    func testLegacySHA1SignatureAndMD5Principal() throws {
        let (r, h) = (Self.keys[0], Self.keys[1])
        let md5 = HashAlgorithm.md5
        let issuer = try Principal(parsing: ["hash", "md5", .bytes(md5.digest(r.publicKeySExpr.canonical))])
        let cert = Cert(issuer: issuer, subject: .principal(Principal(key: h)), tag: tag("(vm)"))
        let signer = try RSASigner(key: r.requirePrivateKey())
        let signature = try SPKISignature.sign(canonical: cert.sexp.canonical, signer: signer, principal: r.publicKeySExpr, hash: .sha1, allowLegacyHash: true)
        let bag = try bag([.publicKey(Principal(key: r)), .cert(cert), .signature(signature)])
        XCTAssertEqual(bag.entries[0].status, .verified(legacy: .sha1))
        XCTAssertEqual(bag.entries[0].cert.issuer.principal.id, Principal(key: r).id, "the MD5 principal resolves to the key")
    }
}
