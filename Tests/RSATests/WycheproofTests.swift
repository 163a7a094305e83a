import Hashing
import RSA
import XCTest

/// Wycheproof vectors: every case must give its expected result.
///
/// "acceptable" cases and what we do with them:
/// - `MissingNull` (DigestInfo without the NULL parameters): we reject them, because we
///   compare with the one DER encoding RFC 8017 §9.2 produces and never parse the padding.
/// - `SmallPublicKey` (e = 3) signature generation: we sign, since e = 3 is allowed, and
///   match the expected bytes.
/// - `WeakHash` signature generation: SHA-1 groups are signed with `allowLegacyHash`
///   and must match. SHA-224 and SHA-384 are not hashes SPKI uses (`HashAlgorithm` has
///   sha256, sha512, sha1, md5), so those groups are skipped and counted exactly.
final class WycheproofTests: XCTestCase {
    struct VerifyFile: Decodable {
        struct Group: Decodable {
            var publicKeyAsn: String
            var sha: String
            var tests: [Case]
        }
        struct Case: Decodable {
            var tcId: Int
            var comment: String
            var msg: String
            var sig: String
            var result: String
            var flags: [String]
        }
        var testGroups: [Group]
    }

    struct SignFile: Decodable {
        struct Group: Decodable {
            var privateKeyPkcs8: String
            var sha: String
            var tests: [Case]
        }
        struct Case: Decodable {
            var tcId: Int
            var msg: String
            var sig: String
            var result: String
            var flags: [String]
        }
        var testGroups: [Group]
    }

    struct OAEPFile: Decodable {
        struct Group: Decodable {
            var privateKeyPkcs8: String
            var sha: String
            var mgfSha: String
            var tests: [Case]
        }
        struct Case: Decodable {
            var tcId: Int
            var comment: String
            var msg: String
            var ct: String
            var label: String
            var result: String
            var flags: [String]
        }
        var testGroups: [Group]
    }

    static func hash(_ name: String) -> HashAlgorithm? {
        switch name {
        case "SHA-256": return .sha256
        case "SHA-512": return .sha512
        case "SHA-1": return .sha1
        case "MD5": return .md5
        default: return nil
        }
    }

    func runVerify(_ file: String, expectedHash: HashAlgorithm, expectedCount: Int) throws {
        let vectors = try Fixtures.wycheproof(file, as: VerifyFile.self)
        var checked = 0
        for group in vectors.testGroups {
            let hash = try XCTUnwrap(Self.hash(group.sha))
            XCTAssertEqual(hash, expectedHash)
            let key = try RSADER.publicKey(pkcs1: Fixtures.hex(group.publicKeyAsn))
            for test in group.tests {
                let message = Fixtures.hex(test.msg)
                let signature = Fixtures.hex(test.sig)
                var accepted = true
                do {
                    try key.verify(signature: signature, message: message, hash: hash)
                } catch {
                    XCTAssertTrue(error.isVerificationFailure, "tcId \(test.tcId): unexpected error \(error)")
                    accepted = false
                }
                switch test.result {
                case "valid":
                    XCTAssertTrue(accepted, "\(file) tcId \(test.tcId) (\(test.comment)) should verify")
                case "invalid":
                    XCTAssertFalse(accepted, "\(file) tcId \(test.tcId) (\(test.comment)) should not verify")
                default:
                    // Acceptable: MissingNull. We compare with the DER DigestInfo, so reject.
                    XCTAssertEqual(test.flags, ["MissingNull"], "tcId \(test.tcId): an acceptable case we did not plan for")
                    XCTAssertFalse(accepted, "tcId \(test.tcId): a DigestInfo without NULL must be rejected")
                }
                checked += 1
            }
        }
        XCTAssertEqual(checked, expectedCount)
    }

    func testSignature2048SHA256() throws { try runVerify("rsa_signature_2048_sha256_test.json", expectedHash: .sha256, expectedCount: 259) }
    func testSignature3072SHA256() throws { try runVerify("rsa_signature_3072_sha256_test.json", expectedHash: .sha256, expectedCount: 259) }
    func testSignature4096SHA256() throws { try runVerify("rsa_signature_4096_sha256_test.json", expectedHash: .sha256, expectedCount: 258) }
    func testSignature2048SHA512() throws { try runVerify("rsa_signature_2048_sha512_test.json", expectedHash: .sha512, expectedCount: 259) }

    func runSign(_ file: String, expectedChecked: Int, expectedUnsupported: Int) throws {
        let vectors = try Fixtures.wycheproof(file, as: SignFile.self)
        var checked = 0
        var unsupported = 0
        for group in vectors.testGroups {
            guard let hash = Self.hash(group.sha) else {
                XCTAssertTrue(["SHA-224", "SHA-384"].contains(group.sha), "unexpected hash \(group.sha)")
                unsupported += group.tests.count
                continue
            }
            let key = try RSADER.privateKey(pkcs8: Fixtures.hex(group.privateKeyPkcs8))
            let signer = try RSASigner(key: key)
            for test in group.tests {
                XCTAssertNotEqual(test.result, "invalid", "tcId \(test.tcId): generation vectors are all valid or acceptable")
                let message = Fixtures.hex(test.msg)
                let signature = try signer.sign(message: message, hash: hash, allowLegacyHash: hash.isLegacy)
                XCTAssertEqual(Fixtures.hexString(signature), test.sig, "\(file) tcId \(test.tcId)")
                XCTAssertNoThrow(try key.publicKey.verify(signature: signature, message: message, hash: hash))
                if hash.isLegacy {
                    XCTAssertThrowsError(try signer.sign(message: message, hash: hash)) { error in
                        XCTAssertEqual((error as? RSAError)?.code, .legacyHashRefused)
                    }
                }
                checked += 1
            }
        }
        XCTAssertEqual(checked, expectedChecked)
        XCTAssertEqual(unsupported, expectedUnsupported)
    }

    func testSignatureGeneration2048() throws { try runSign("rsa_pkcs1_2048_sig_gen_test.json", expectedChecked: 27, expectedUnsupported: 16) }
    func testSignatureGeneration3072() throws { try runSign("rsa_pkcs1_3072_sig_gen_test.json", expectedChecked: 18, expectedUnsupported: 8) }

    func testOAEP2048SHA256() throws {
        let vectors = try Fixtures.wycheproof("rsa_oaep_2048_sha256_mgf1sha256_test.json", as: OAEPFile.self)
        var checked = 0
        for group in vectors.testGroups {
            XCTAssertEqual(group.sha, "SHA-256")
            XCTAssertEqual(group.mgfSha, "SHA-256")
            let key = try RSADER.privateKey(pkcs8: Fixtures.hex(group.privateKeyPkcs8))
            let signer = try RSASigner(key: key)
            for test in group.tests {
                let label = Fixtures.hex(test.label)
                let result = Result { try signer.decryptOAEP(Fixtures.hex(test.ct), label: label) }
                switch (test.result, result) {
                case ("valid", .success(let message)):
                    XCTAssertEqual(Fixtures.hexString(message), test.msg, "tcId \(test.tcId)")
                case ("invalid", .failure(let error)):
                    XCTAssertEqual((error as? RSAError)?.code, .decryptionFailed, "tcId \(test.tcId)")
                default:
                    XCTFail("OAEP tcId \(test.tcId) (\(test.comment)): expected \(test.result), got \(result)")
                }
                // Round trip: our encryption of the message decrypts to it.
                if test.result == "valid" {
                    let message = Fixtures.hex(test.msg)
                    let ciphertext = try key.publicKey.encryptOAEP(message, label: label)
                    XCTAssertEqual(try signer.decryptOAEP(ciphertext, label: label), message)
                }
                checked += 1
            }
        }
        XCTAssertEqual(checked, 37)
    }
}
