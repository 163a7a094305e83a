import BigNum
import RSA
import SExpr
import XCTest

/// `RSASExpr.decodePublicKey` (the verifier's fast reader) agrees with `RSASExpr.decode`:
/// the same key for every accepted shape, the same error for every rejected one.
final class PublicKeyDecodingTests: XCTestCase {
    static let key = try! RSAKeyGenerator.generate(bits: 2048)

    var n: [UInt8] { [0] + Self.key.publicKey.modulusBytes }   // top bit set: a sign byte
    var e: [UInt8] { Self.key.publicKey.exponentBytes }

    func member(_ name: String, _ bytes: [UInt8], hint: [UInt8]? = nil) -> SExpr {
        [.string(name), .bytes(bytes, hint: hint)]
    }

    func testAcceptedShapesGiveTheSameKey() throws {
        var shapes: [SExpr] = []
        for algorithm in RSASExpr.acceptedAlgorithms.sorted() {
            shapes.append(["public-key", [.string(algorithm), member("n", n), member("e", e)]])
            shapes.append(["public-key", [.string(algorithm), member("e", e), member("n", n)]])
        }
        // A display hint on an integer is read through (both readers take the bytes).
        shapes.append(["public-key", ["rsa-pkcs1-sha256", member("n", n, hint: Array("x".utf8)), member("e", e)]])
        for shape in shapes {
            let fast = try RSASExpr.decodePublicKey(shape)
            XCTAssertEqual(fast, try RSASExpr.decode(shape).publicKey, "\(shape)")
            XCTAssertEqual(fast, Self.key.publicKey)
        }
    }

    func testRejectedShapesGiveTheSameError() {
        let rejected: [(String, SExpr)] = [
            ("unknown algorithm", ["public-key", ["dsa", member("n", n), member("e", e)]]),
            ("missing e", ["public-key", ["rsa-pkcs1-sha256", member("n", n)]]),
            ("duplicate n", ["public-key", ["rsa-pkcs1-sha256", member("n", n), member("n", n)]]),
            ("negative n", ["public-key", ["rsa-pkcs1-sha256", member("n", Array(n.dropFirst())), member("e", e)]]),
            ("empty e", ["public-key", ["rsa-pkcs1-sha256", member("n", n), member("e", [])]]),
            ("even e", ["public-key", ["rsa-pkcs1-sha256", member("n", n), member("e", [4])]]),
            ("e = 1", ["public-key", ["rsa-pkcs1-sha256", member("n", n), member("e", [1])]]),
            ("even n", ["public-key", ["rsa-pkcs1-sha256", member("n", Array(n.dropLast()) + [2]), member("e", e)]]),
            ("small n", ["public-key", ["rsa-pkcs1-sha256", member("n", [0x7f, 0xff, 0xff]), member("e", e)]]),
            ("private member", ["public-key", ["rsa-pkcs1-sha256", member("n", n), member("d", e)]]),
            ("not a key", ["private-parts", ["rsa-pkcs1-sha256", member("n", n), member("e", e)]]),
            ("hinted head", [.bytes(Array("public-key".utf8), hint: Array("h".utf8)), ["rsa-pkcs1-sha256", member("n", n), member("e", e)]]),
        ]
        for (what, shape) in rejected {
            var slow: RSAError?
            do { _ = try RSASExpr.decode(shape) } catch { slow = error }
            do {
                _ = try RSASExpr.decodePublicKey(shape)
                XCTFail("\(what): accepted")
            } catch {
                XCTAssertEqual(error.code, slow?.code, what)
                XCTAssertEqual(error.message, slow?.message, what)
            }
        }
    }

    /// Verification with a key from either reader, over many signatures: the Montgomery
    /// path (division into the domain, the last product leaving it) agrees with plain
    /// modular exponentiation, and rejects a flipped bit.
    func testVerifyAgreesWithPlainExponentiation() throws {
        let signer = try RSASigner(key: Self.key)
        let key = try RSASExpr.decodePublicKey(RSASExpr.publicKey(Self.key.publicKey))
        let n = BigNum(unsignedBytes: key.modulusBytes), e = BigNum(unsignedBytes: key.exponentBytes)
        for index in 0..<20 {
            let message = Array("message \(index)".utf8)
            var signature = try signer.sign(message: message)
            XCTAssertNoThrow(try key.verify(signature: signature, message: message))
            // EM recovered by plain exponentiation starts 00 01 ff.
            let recovered = BigNum(unsignedBytes: signature).power(e, modulo: n).unsignedBytes(length: key.byteLength)!
            XCTAssertEqual(Array(recovered.prefix(3)), [0x00, 0x01, 0xff])
            signature[index * 7 % signature.count] ^= 0x10
            XCTAssertThrowsError(try key.verify(signature: signature, message: message)) { error in
                XCTAssertTrue((error as? RSAError)?.isVerificationFailure ?? false)
            }
        }
    }
}
