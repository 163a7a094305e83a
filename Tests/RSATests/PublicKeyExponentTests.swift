import BigNum
import SExpr
@testable import RSA
import XCTest

/// A public key keeps a small exponent as an integer and adopts its modulus in its
/// Montgomery context; a large exponent keeps the general path. Both must read, compare,
/// print and compute the same as before.
final class PublicKeyExponentTests: XCTestCase {
    static let shared = Result { try RSAKeyGenerator.generate(bits: 2048) }

    func testSmallExponentPathsAgree() throws {
        let key = try Self.shared.get().publicKey
        let n = key.modulusBytes
        // The fast S-expression reader (small exponent, leading zero allowed) and the
        // byte initialiser give equal keys with equal hashes and the same numbers.
        let sexp: SExpr = ["public-key", .list(["rsa-pkcs1-sha256", .list(["n", .bytes([0] + n)]), .list(["e", .bytes([0, 1, 0, 1])])])]
        let read = try RSASExpr.decodePublicKey(sexp)
        let made = try RSAPublicKey(modulus: n, exponent: [1, 0, 1])
        XCTAssertEqual(read, made)
        XCTAssertEqual(read.hashValue, made.hashValue)
        XCTAssertEqual(read.exponentBytes, [1, 0, 1])
        XCTAssertEqual(read.exponentValue, 65537)
        XCTAssertEqual(read.e, BigNum(65537))
        XCTAssertNotNil(read.montgomery)
        XCTAssertNotEqual(read, try RSAPublicKey(modulus: n, exponent: [3]))
        // The reader's errors for small exponents are the initialiser's.
        for (exponent, expected) in [([UInt8]([1]), RSAError.Code.exponentTooSmall), ([0], .exponentTooSmall), ([1, 0, 0], .exponentEven)] as [([UInt8], RSAError.Code)] {
            let bad: SExpr = ["public-key", .list(["rsa-pkcs1-sha256", .list(["n", .bytes([0] + n)]), .list(["e", .bytes(exponent)])])]
            XCTAssertThrowsError(try RSASExpr.decodePublicKey(bad)) { XCTAssertEqual(($0 as? RSAError)?.code, expected, "e = \(exponent)") }
        }
    }

    func testLargeExponentKeepsTheGeneralPath() throws {
        let key = try Self.shared.get().publicKey
        // An odd 64-bit exponent (no real key uses one, but it is valid): no Montgomery
        // context, and the power agrees with BigNum's own.
        let exponent: [UInt8] = [0x80, 0, 0, 0, 0, 0, 0, 0x01]
        let large = try RSAPublicKey(modulus: key.modulusBytes, exponent: exponent)
        XCTAssertNil(large.montgomery)
        XCTAssertNil(large.exponentValue.flatMap { $0 < 1 << 62 ? $0 : nil })
        XCTAssertEqual(large.exponentBytes, exponent)
        XCTAssertNotEqual(large, key)
        XCTAssertEqual(large, try RSAPublicKey(modulus: key.modulusBytes, exponent: exponent))
        let base = BigNum(unsignedBytes: [UInt8](repeating: 0x5a, count: 200))
        let result = BigNum(capacityBits: 2048 + 64), expected = BigNum(capacityBits: 2048 + 64)
        large.raise(base, into: result)
        expected.setPower(base, BigNum(unsignedBytes: exponent), modulo: BigNum(unsignedBytes: key.modulusBytes))
        XCTAssertEqual(result, expected)
        // And the small-exponent key still verifies its signatures.
        let signer = try RSASigner(key: Self.shared.get())
        let message = Array("exponent paths".utf8)
        XCTAssertNoThrow(try key.verify(signature: signer.sign(message: message), message: message))
    }
}
