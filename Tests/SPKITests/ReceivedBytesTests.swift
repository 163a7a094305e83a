import Hashing
import RSA
import SExpr
import SPKI
import XCTest

/// Certs read from canonical input keep their input bytes for signature checking; certs
/// read in another form are printed canonically, and both verify the same.
final class ReceivedBytesTests: XCTestCase {
    static let keys: [RSAKeyFile] = (0..<2).map { _ in RSAKeyFile(privateKey: try! RSAKeyGenerator.generate(bits: 2048)) }

    func signedSequence() throws -> SPKISequence {
        let (r, h) = (Self.keys[0], Self.keys[1])
        let cert = Cert(issuer: Principal(key: r), subject: .principal(Principal(key: h)), tag: tag("(vm (* set ssh scp))"), propagate: true)
        return SPKISequence(items: [.cert(cert), .signature(try cert.sign(with: r))])
    }

    func bag(_ sequence: SPKISequence) throws -> CertBag {
        var builder = CertBag.Builder()
        try builder.add(sequence, origin: "test")
        return builder.build()
    }

    func testCanonicalAndAdvancedInputVerifyAlike() throws {
        let sexp = try signedSequence().sexp
        var warnings: [SPKIWarning] = []
        let canonical = try SPKISequence(parsing: SExprParser().parse(sexp.canonical), warnings: &warnings)
        let advanced = try SPKISequence(parsing: SExprParser().parse(Array(sexp.advanced().utf8)), warnings: &warnings)
        let fromValue = try SPKISequence(parsing: sexp, warnings: &warnings)
        for sequence in [canonical, advanced, fromValue] {
            let bag = try bag(sequence)
            XCTAssertEqual(bag.entries.map(\.status), [.verified(legacy: nil)])
            guard case .cert(let cert) = sequence.items[0] else { return XCTFail("expected a cert") }
            XCTAssertEqual(cert.signedBytes, sexp.tail.first!.canonical)
            XCTAssertEqual(bag.entries[0].digest, HashAlgorithm.sha256.digest(cert.signedBytes))
        }
        // Equality ignores where the bytes came from.
        guard case .cert(let a) = canonical.items[0], case .cert(let b) = advanced.items[0] else { return XCTFail("expected certs") }
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.hashValue, b.hashValue)
    }

    func testEditedCertDropsItsReceivedBytes() throws {
        let sexp = try signedSequence().sexp
        var warnings: [SPKIWarning] = []
        let sequence = try SPKISequence(parsing: SExprParser().parse(sexp.canonical), warnings: &warnings)
        guard case .cert(var cert) = sequence.items[0], case .signature(let signature) = sequence.items[1] else { return XCTFail("expected a cert") }
        // Replacing the expression as received makes the signed bytes follow it.
        cert.tag = tag("(vm all)")
        cert.source = cert.sexp
        XCTAssertEqual(cert.signedBytes, cert.sexp.canonical)
        let bag = try bag(SPKISequence(items: [.cert(cert), .signature(signature)]))
        XCTAssertEqual(bag.entries[0].status, .missing, "the signature covers the original bytes")
    }

    /// A canonical sequence's bytes, one tampered byte inside a cert: the slice hashed is
    /// the tampered input, so the signature no longer names it.
    func testTamperedCanonicalBytesDoNotVerify() throws {
        var bytes = try signedSequence().sexp.canonical
        let needle = Array("scp".utf8)
        let at = try XCTUnwrap((0...(bytes.count - needle.count)).first { Array(bytes[$0..<$0 + 3]) == needle })
        bytes[at] = UInt8(ascii: "x")
        var warnings: [SPKIWarning] = []
        let sequence = try SPKISequence(parsing: SExprParser().parse(bytes), warnings: &warnings)
        XCTAssertEqual(try bag(sequence).entries[0].status, .missing)
    }
}
