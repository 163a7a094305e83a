import BigNum
import Hashing
@testable import RSA
import XCTest

final class RSAKeyTests: XCTestCase {
    /// One generated key shared by the tests of this class (generation takes a while in debug).
    static let shared = Result { try RSAKeyGenerator.generate(bits: 2048) }

    func key() throws -> RSAPrivateKey { try Self.shared.get() }

    func testGeneratedKeyShape() throws {
        let key = try key()
        XCTAssertEqual(key.bitLength, 2048)
        XCTAssertEqual(key.publicKey.exponentValue, 65537)
        XCTAssertTrue(key.p.isProbablePrime(millerRabinRounds: 5))
        XCTAssertTrue(key.q.isProbablePrime(millerRabinRounds: 5))
        XCTAssertTrue(key.p > key.q)
        XCTAssertEqual(key.p * key.q, key.n)
        let distance = BigNum(1); distance.setShiftedLeft(distance, by: 1024 - 100)
        XCTAssertTrue(key.p - key.q > distance, "|p - q| > 2^(bits/2 - 100)")
        let lambda = (key.p - 1).lcm(key.q - 1)
        XCTAssertEqual((key.e * key.d).mod(lambda).uintValue, 1)
        XCTAssertEqual(key.d.mod(key.p - 1), key.dP)
        XCTAssertEqual(key.d.mod(key.q - 1), key.dQ)
        XCTAssertEqual((key.q * key.qInv).mod(key.p).uintValue, 1)
        XCTAssertTrue(key.d.isSecret && key.p.isSecret && key.q.isSecret && key.dP.isSecret && key.qInv.isSecret)
        XCTAssertFalse(key.description.contains(key.publicKey.modulusBytes.prefix(4).map { String($0) }.joined()))
    }

    func testUnsupportedGenerationSize() {
        XCTAssertThrowsError(try RSAKeyGenerator.generate(bits: 1024)) { error in
            XCTAssertEqual((error as? RSAError)?.code, .unsupportedKeySize)
        }
    }

    func testSignVerifyManyWithOneSigner() throws {
        let key = try key()
        let signer = try RSASigner(key: key)
        for index in 0..<40 {
            let message = Array("message \(index)".utf8)
            let hash: HashAlgorithm = index % 2 == 0 ? .sha256 : .sha512
            let signature = try signer.sign(message: message, hash: hash)
            XCTAssertEqual(signature.count, 256)
            XCTAssertNoThrow(try key.publicKey.verify(signature: signature, message: message, hash: hash))
            // Deterministic: a fresh signer (fresh blinding) gives the same bytes.
            if index < 3 {
                XCTAssertEqual(try key.sign(message: message, hash: hash), signature)
            }
            XCTAssertThrowsError(try key.publicKey.verify(signature: signature, message: message + [0], hash: hash)) { error in
                XCTAssertEqual((error as? RSAError)?.code, .signatureMismatch)
            }
        }
    }

    func testVerifyRejections() throws {
        let key = try key()
        let message = Array("hello".utf8)
        let signature = try key.sign(message: message)
        func code(_ body: () throws -> Void) -> RSAError.Code? {
            do { try body(); return nil } catch { return (error as? RSAError)?.code }
        }
        XCTAssertEqual(code { try key.publicKey.verify(signature: Array(signature.dropLast()), message: message) }, .signatureLengthMismatch)
        XCTAssertEqual(code { try key.publicKey.verify(signature: [0] + signature, message: message) }, .signatureLengthMismatch)
        XCTAssertEqual(code { try key.publicKey.verify(signature: key.publicKey.modulusBytes, message: message) }, .signatureOutOfRange)
        XCTAssertEqual(code { try key.publicKey.verify(signature: signature, message: message, hash: .sha512) }, .signatureMismatch)
        for bit in [0, 7, 1000, 2047] {
            var flipped = signature
            flipped[bit / 8] ^= UInt8(1 << (bit % 8))
            let result = code { try key.publicKey.verify(signature: flipped, message: message) }
            XCTAssertTrue(result == .signatureMismatch || result == .signatureOutOfRange, "bit \(bit)")
        }
        XCTAssertEqual(code { try key.publicKey.verify(signature: signature, digest: [1, 2, 3], hash: .sha256) }, .digestLengthMismatch)
    }

    func testLegacyHashNeedsExplicitPermission() throws {
        let key = try key()
        let message = Array("legacy".utf8)
        for hash in [HashAlgorithm.sha1, .md5] {
            XCTAssertThrowsError(try key.sign(message: message, hash: hash)) { error in
                XCTAssertEqual((error as? RSAError)?.code, .legacyHashRefused)
            }
            let signature = try key.sign(message: message, hash: hash, allowLegacyHash: true)
            XCTAssertNoThrow(try key.publicKey.verify(signature: signature, message: message, hash: hash))
        }
    }

    func testOAEPRoundTripAndLimits() throws {
        let key = try key()
        let message = [UInt8](repeating: 0x42, count: 256 - 66)
        let ciphertext = try key.publicKey.encryptOAEP(message, label: [1, 2])
        XCTAssertEqual(try key.decryptOAEP(ciphertext, label: [1, 2]), message)
        XCTAssertThrowsError(try key.decryptOAEP(ciphertext, label: [1, 3]))
        XCTAssertThrowsError(try key.publicKey.encryptOAEP(message + [0])) { error in
            XCTAssertEqual((error as? RSAError)?.code, .messageTooLong)
        }
        XCTAssertNotEqual(try key.publicKey.encryptOAEP(message), try key.publicKey.encryptOAEP(message), "randomized")
        var corrupted = ciphertext
        corrupted[100] ^= 1
        XCTAssertThrowsError(try key.decryptOAEP(corrupted, label: [1, 2])) { error in
            XCTAssertEqual((error as? RSAError)?.code, .decryptionFailed)
        }
    }

    // MARK: Key checks

    func testPublicKeyChecks() throws {
        let key = try key()
        let n = key.publicKey.modulusBytes
        func code(_ modulus: [UInt8], _ exponent: [UInt8]) -> RSAError.Code? {
            do { _ = try RSAPublicKey(modulus: modulus, exponent: exponent); return nil } catch { return error.code }
        }
        XCTAssertNil(code(n, [1, 0, 1]))
        XCTAssertEqual(code(n, [1]), .exponentTooSmall, "e = 1")
        XCTAssertEqual(code(n, []), .exponentTooSmall, "e = 0")
        XCTAssertEqual(code(n, [1, 0, 0]), .exponentEven)
        XCTAssertNil(code(n, [3]), "e = 3 is allowed")
        var even = n; even[even.count - 1] &= 0xfe
        XCTAssertEqual(code(even, [1, 0, 1]), .modulusEven)
        XCTAssertEqual(code(Array(n.prefix(100)) + [1], [1, 0, 1]), .modulusTooSmall)
        XCTAssertEqual(code([UInt8](repeating: 0xff, count: 2049), [1, 0, 1]), .modulusTooLarge)
        XCTAssertEqual(code(n, n), .exponentNotBelowModulus)
        // 1024-bit keys load for verifying, flagged as legacy.
        XCTAssertTrue(try RSAPublicKey(modulus: [0x80] + [UInt8](repeating: 0, count: 126) + [1], exponent: [1, 0, 1]).isLegacySize)
    }

    func testFlippedBitInEachPrivateField() throws {
        let key = try key()
        let fields = key.components
        let expected: [RSAError.Code] = [
            .modulusNotProduct, .privateExponentMismatch, .privateExponentMismatch, .modulusNotProduct,
            .modulusNotProduct, .crtExponentMismatch, .crtExponentMismatch, .crtCoefficientMismatch,
        ]
        let names = ["n", "e", "d", "p", "q", "dP", "dQ", "qInv"]
        for index in 0..<8 {
            var values = fields
            values[index][values[index].count / 2] ^= 0x10
            do {
                _ = try RSAPrivateKey(modulus: values[0], publicExponent: values[1], privateExponent: values[2],
                                      prime1: values[3], prime2: values[4], exponent1: values[5], exponent2: values[6],
                                      coefficient: values[7])
                XCTFail("a flipped bit in \(names[index]) was not detected")
            } catch {
                XCTAssertEqual(error.code, expected[index], "field \(names[index]): \(error)")
                XCTAssertFalse(error.message.contains(Fixtures.hexString(Array(fields[index].prefix(8)))), "no key material in messages")
            }
        }
        // Unmodified fields load and sign.
        let reloaded = try RSAPrivateKey(modulus: fields[0], publicExponent: fields[1], privateExponent: fields[2],
                                         prime1: fields[3], prime2: fields[4])
        XCTAssertEqual(try reloaded.sign(message: [1]), try key.sign(message: [1]))
    }

    func testSmallKeyCannotSign() throws {
        var generator = TestRandom(seed: 99)
        let e = BigNum(65537)
        let p = RSAKeyGenerator.randomPrime(bits: 512, e: e, using: &generator)
        let q = RSAKeyGenerator.randomPrime(bits: 512, e: e, using: &generator)
        let lambda = (p - 1).lcm(q - 1)
        let d = try XCTUnwrap(e.inverse(modulo: lambda))
        let key = try RSAPrivateKey(modulus: (p * q).unsignedBytes()!, publicExponent: [1, 0, 1],
                                    privateExponent: d.unsignedBytes()!, prime1: p.unsignedBytes()!, prime2: q.unsignedBytes()!)
        XCTAssertTrue(key.publicKey.isLegacySize)
        XCTAssertThrowsError(try key.sign(message: [1])) { error in
            XCTAssertEqual((error as? RSAError)?.code, .modulusTooSmallForSigning)
        }
    }
}

extension RSAKeyTests {
    func testFaultIsCaughtBySelfCheck() throws {
        let signer = try RSASigner(key: try key())
        XCTAssertNoThrow(try signer.sign(message: [1]))
        signer.corruptBlindingForTesting()
        XCTAssertThrowsError(try signer.sign(message: [1])) { error in
            XCTAssertEqual((error as? RSAError)?.code, .faultDetected)
        }
        XCTAssertThrowsError(try signer.decryptOAEP([UInt8](repeating: 1, count: 256))) { error in
            XCTAssertEqual((error as? RSAError)?.code, .faultDetected, "decryption is checked too")
        }
    }
}

extension RSAKeyTests {
    func testLargerSizesGenerateSignAndVerify() throws {
        for bits in [3072, 4096] {
            let key = try RSAKeyGenerator.generate(bits: bits)
            XCTAssertEqual(key.bitLength, bits)
            XCTAssertEqual(key.p.bitWidth, bits / 2)
            XCTAssertEqual(key.q.bitWidth, bits / 2)
            let signature = try key.sign(message: [1, 2, 3], hash: .sha512)
            XCTAssertEqual(signature.count, bits / 8)
            XCTAssertNoThrow(try key.publicKey.verify(signature: signature, message: [1, 2, 3], hash: .sha512))
            let sealed = try key.publicKey.encryptOAEP([9, 9, 9])
            XCTAssertEqual(try key.decryptOAEP(sealed), [9, 9, 9])
        }
    }
}
