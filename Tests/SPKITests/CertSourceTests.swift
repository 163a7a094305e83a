import Hashing
import SExpr
import SPKI
import XCTest

/// A cert read from canonical input holds its input bytes and builds `source` from them
/// when asked for: the same value as the parsed expression; setting `source` still
/// replaces it, and equality and hashing see the same certs whichever way they were read.
final class CertSourceTests: XCTestCase {
    static let key: SExpr = ["public-key", ["rsa-pkcs1-sha256", ["n", .bytes(HashAlgorithm.sha256.digest([1]))], ["e", .bytes([3])]]]
    static let other: SExpr = ["hash", "sha256", .bytes(HashAlgorithm.sha256.digest([2]))]
    static let expression: SExpr = ["cert", ["version", "0"], ["issuer", key], ["issuer-info", "x"], ["subject", other], ["propagate"],
                                    ["tag", ["vm", ["*", "set", "ssh", .string("scp", hint: "text/plain")]]],
                                    ["valid", ["not-before", "2026-01-01_00:00:00"], ["not-after", "2030"]], ["comment", "c"]]

    func read(_ bytes: [UInt8]) throws -> (Cert, [SPKIWarning]) {
        var warnings: [SPKIWarning] = []
        let sequence = try SPKISequence(parsing: SExprParser().parse(bytes), warnings: &warnings)
        guard case .cert(let cert) = sequence.items.first else { throw XCTSkip("not a cert") }
        return (cert, warnings)
    }

    func testSourceIsTheExpressionRead() throws {
        let (canonical, warnings) = try read(Self.expression.canonical)
        let (advanced, advancedWarnings) = try read(Array(Self.expression.advanced().utf8))
        XCTAssertEqual(canonical.source, Self.expression)
        XCTAssertEqual(advanced.source, Self.expression)
        XCTAssertEqual(warnings, advancedWarnings)
        XCTAssertEqual(warnings.map(\.code), [.truncatedDate])
        XCTAssertEqual(canonical, advanced)
        XCTAssertEqual(canonical.hashValue, advanced.hashValue)
        XCTAssertEqual(canonical.signedBytes, Self.expression.canonical)
        XCTAssertEqual(SPKISequence(items: [.cert(canonical)]).sexp, ["sequence", Self.expression])
        XCTAssertEqual(canonical.version, SExpr.Atom("0"))
        XCTAssertEqual(canonical.issuerInfo, ["issuer-info", "x"])
        XCTAssertEqual(canonical.comment, "c")
        XCTAssertTrue(canonical.propagate)
    }

    func testSettingSourceReplacesTheReceivedBytes() throws {
        var (cert, _) = try read(Self.expression.canonical)
        let original = cert
        var edited = Self.expression.listValue!
        edited[edited.count - 1] = ["comment", "d"]
        cert.source = .list(edited)
        XCTAssertEqual(cert.source, .list(edited))
        XCTAssertEqual(cert.signedBytes, SExpr.list(edited).canonical)
        XCTAssertNotEqual(cert, original)
        cert.source = nil
        XCTAssertNil(cert.source)
        XCTAssertEqual(cert.signedBytes, cert.sexp.canonical)
        // The same expression set back: equal to the cert read from the bytes.
        cert.source = Self.expression
        XCTAssertEqual(cert, original)
        XCTAssertEqual(cert.hashValue, original.hashValue)
        XCTAssertEqual(Set([cert, original]).count, 1)
    }

    func testCertsReadFromDifferentBytesDiffer() throws {
        var other = Self.expression.listValue!
        other[other.count - 1] = ["comment", "e"]
        let (a, _) = try read(Self.expression.canonical)
        let (b, _) = try read(SExpr.list(other).canonical)
        XCTAssertNotEqual(a, b)
        // Same fields, another expression as received: not equal either.
        var c = a
        c.source = .list(Self.expression.listValue! + [])
        XCTAssertEqual(c, a)
        var d = a
        d.source = ["cert", "different"]
        XCTAssertNotEqual(d, a)
    }
}
