import Foundation
import Hashing
import RSA
import SExpr
import TestSupport
import XCTest

/// Interoperability with OpenSSL, nettle's pkcs1-conv and OpenSSH's ssh-keygen. Each test
/// runs the real tool; a missing tool skips the test, or fails it under CI=true.
final class InteropTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try Fixtures.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    func read(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path(name)))) }

    func openssl(_ arguments: [String], input: [UInt8] = []) throws -> ExternalTool.Result {
        let result = try Fixtures.run("openssl", arguments, input: input)
        XCTAssertEqual(result.status, 0, "openssl \(arguments.joined(separator: " ")): \(result.stderrText)")
        return result
    }

    /// A fresh OpenSSL key: PKCS#8 PEM (what genpkey writes).
    func opensslKey(bits: Int = 2048) throws -> String {
        _ = try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:\(bits)", "-out", path("ossl.pem")])
        return path("ossl.pem")
    }

    func testOpenSSLKeysLoadInEveryEncoding() throws {
        let pkcs8 = try opensslKey()
        let reference = try RSAKeyFile.load(read("ossl.pem"))
        XCTAssertEqual(reference.format, .pkcs8PEM)
        XCTAssertTrue(reference.isPrivate)
        _ = try openssl(["pkey", "-in", pkcs8, "-traditional", "-out", path("trad.pem")])
        _ = try openssl(["pkey", "-in", pkcs8, "-pubout", "-out", path("pub.pem")])
        _ = try openssl(["rsa", "-in", pkcs8, "-RSAPublicKey_out", "-out", path("rsapub.pem")])
        _ = try openssl(["pkey", "-in", pkcs8, "-outform", "DER", "-out", path("key.der")])
        _ = try openssl(["pkey", "-in", pkcs8, "-pubout", "-outform", "DER", "-out", path("pub.der")])
        let expected: [String: RSAKeyFile.Format] = [
            "trad.pem": .pkcs1PEM, "pub.pem": .spkiPEM, "rsapub.pem": .pkcs1PEM, "key.der": .der, "pub.der": .der,
        ]
        for (name, format) in expected {
            let loaded = try RSAKeyFile.load(read(name))
            XCTAssertEqual(loaded.format, format, name)
            XCTAssertEqual(loaded.publicKey, reference.publicKey, name)
        }
        // What we write, OpenSSL reads back to the same modulus.
        for format in [RSAKeyFile.OutputFormat.pem, .pkcs8, .pkcs1] {
            let file = try write(reference.privateKeyBytes(format)!, "ours-\(format).pem")
            let modulus = try openssl(["rsa", "-in", file, "-noout", "-modulus"])
            XCTAssertEqual(String(decoding: modulus.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
                           "Modulus=" + Fixtures.hexString(reference.publicKey.modulusBytes).uppercased(), "\(format)")
        }
        let publicFile = try write(reference.publicKeyBytes(.pem), "ours-pub.pem")
        _ = try openssl(["pkey", "-pubin", "-in", publicFile, "-noout"])
    }

    /// Keys of other algorithms that OpenSSL makes are refused by name, with how to make an RSA key.
    func testOtherAlgorithmsAreRefusedByName() throws {
        let cases: [([String], String)] = [
            (["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"], "EC (id-ecPublicKey) (1.2.840.10045.2.1)"),
            (["-algorithm", "ED25519"], "Ed25519 (1.3.101.112)"),
            (["-algorithm", "RSA-PSS"], "RSASSA-PSS (1.2.840.113549.1.1.10)"),
        ]
        for (arguments, name) in cases {
            _ = try openssl(["genpkey"] + arguments + ["-out", path("other.pem")])
            _ = try openssl(["pkey", "-in", path("other.pem"), "-pubout", "-out", path("other.pub")])
            for file in ["other.pem", "other.pub"] {
                do {
                    _ = try RSAKeyFile.load(read(file))
                    XCTFail("\(arguments) \(file) loaded")
                } catch let error as RSAError {
                    XCTAssertEqual(error.code, .unsupportedAlgorithm)
                    XCTAssertTrue(error.message.contains("algorithm \(name), not rsaEncryption"), error.message)
                    XCTAssertTrue(error.help?.contains("spki keygen") == true, error.help ?? "")
                }
            }
        }
    }

    func testSignaturesBothWays() throws {
        let keyPath = try opensslKey()
        let key = try RSAKeyFile.load(read("ossl.pem"))
        _ = try openssl(["pkey", "-in", keyPath, "-pubout", "-out", path("pub.pem")])
        let message = Array("interop message\n".utf8)
        let messagePath = try write(message, "message")
        for hash in [HashAlgorithm.sha256, .sha512] {
            // Ours, verified by OpenSSL.
            let ours = try key.requirePrivateKey().sign(message: message, hash: hash)
            let signaturePath = try write(ours, "ours.sig")
            let verified = try openssl(["dgst", "-\(hash.rawValue)", "-verify", path("pub.pem"), "-signature", signaturePath, messagePath])
            XCTAssertTrue(String(decoding: verified.stdout, as: UTF8.self).contains("Verified OK"))
            // OpenSSL's, verified by ours, and identical (PKCS#1 v1.5 is deterministic).
            _ = try openssl(["dgst", "-\(hash.rawValue)", "-sign", keyPath, "-out", path("theirs.sig"), messagePath])
            let theirs = try read("theirs.sig")
            XCTAssertNoThrow(try key.publicKey.verify(signature: theirs, message: message, hash: hash))
            XCTAssertEqual(theirs, ours)
        }
        // A tampered signature is refused by OpenSSL too (the test can fail).
        var bad = try key.requirePrivateKey().sign(message: message)
        bad[5] ^= 1
        let badPath = try write(bad, "bad.sig")
        let refused = try Fixtures.run("openssl", ["dgst", "-sha256", "-verify", path("pub.pem"), "-signature", badPath, messagePath])
        XCTAssertNotEqual(refused.status, 0)
    }

    func testOAEPBothWays() throws {
        let keyPath = try opensslKey()
        let key = try RSAKeyFile.load(read("ossl.pem"))
        let options = ["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256"]
        let secret = Array("esp key material 0123456789abcdef".utf8)
        // Ours encrypts, OpenSSL decrypts.
        let ciphertext = try key.publicKey.encryptOAEP(secret)
        let cipherPath = try write(ciphertext, "ours.bin")
        let decrypted = try openssl(["pkeyutl", "-decrypt", "-inkey", keyPath, "-in", cipherPath] + options)
        XCTAssertEqual(decrypted.stdout, secret)
        // OpenSSL encrypts, ours decrypts.
        let plainPath = try write(secret, "plain")
        _ = try openssl(["pkeyutl", "-encrypt", "-inkey", keyPath, "-in", plainPath, "-out", path("theirs.bin")] + options)
        XCTAssertEqual(try key.requirePrivateKey().decryptOAEP(read("theirs.bin")), secret)
    }

    func testPkcs1ConvKeysLoadAndMatchOurSExpression() throws {
        let keyPath = try opensslKey()
        _ = try openssl(["pkey", "-in", keyPath, "-traditional", "-out", path("trad.pem")])
        _ = try openssl(["pkey", "-in", keyPath, "-pubout", "-out", path("pub.pem")])
        let reference = try RSAKeyFile.load(read("ossl.pem"))

        let privateSexp = try Fixtures.run("pkcs1-conv", [], input: read("trad.pem"))
        XCTAssertEqual(privateSexp.status, 0, privateSexp.stderrText)
        XCTAssertFalse(privateSexp.stdout.isEmpty, "pkcs1-conv wrote nothing: it skips PKCS#8 input silently")
        let loadedPrivate = try RSAKeyFile.load(privateSexp.stdout)
        XCTAssertEqual(loadedPrivate.algorithm, "rsa-pkcs1")
        XCTAssertEqual(loadedPrivate.publicKey, reference.publicKey)
        XCTAssertNoThrow(try loadedPrivate.requirePrivateKey().sign(message: [1, 2, 3]))

        let publicSexp = try Fixtures.run("pkcs1-conv", [], input: read("pub.pem"))
        XCTAssertEqual(publicSexp.status, 0, publicSexp.stderrText)
        XCTAssertFalse(publicSexp.stdout.isEmpty, "pkcs1-conv wrote nothing")
        let loadedPublic = try RSAKeyFile.load(publicSexp.stdout)
        XCTAssertEqual(loadedPublic.principalBytes, publicSexp.stdout, "the principal is exactly the bytes received")
        // Our encoding with the same algorithm word is byte for byte pkcs1-conv's.
        XCTAssertEqual(RSASExpr.publicKey(reference.publicKey, algorithm: "rsa-pkcs1").canonical, publicSexp.stdout)
        // And sexp-conv reads what we write.
        let ours = reference.publicKeyBytes(.sexp)
        let converted = try Fixtures.run("sexp-conv", ["-s", "canonical"], input: ours)
        XCTAssertEqual(converted.status, 0, converted.stderrText)
        XCTAssertEqual(converted.stdout, RSASExpr.publicKey(reference.publicKey).canonical)
    }

    func testLegacySHA1SignatureOverCanonicalCertificateVerifies() throws {
        let keyPath = try opensslKey()
        let key = try RSAKeyFile.load(read("ossl.pem"))
        let cert: SExpr = ["cert", ["issuer", ["hash", "sha1", .bytes([UInt8](repeating: 7, count: 20))]],
                           ["subject", "bob"], ["tag", ["ftp", "example.org"]]]
        let certPath = try write(cert.canonical, "cert.canon")
        _ = try openssl(["dgst", "-sha1", "-sign", keyPath, "-out", path("cert.sig"), certPath])
        let signature = SPKISignature(hash: .sha1, digest: HashAlgorithm.sha1.digest(cert.canonical),
                                      principal: key.publicKeySExpr, algorithm: "rsa-pkcs1-sha1", signature: try read("cert.sig"))
        let parsed = try SPKISignature(parsing: SExpr.parse(signature.sexp.canonical))
        XCTAssertNoThrow(try parsed.verify(canonical: cert.canonical, key: key))
        var tampered = cert.canonical
        tampered[tampered.count - 3] ^= 1
        XCTAssertThrowsError(try parsed.verify(canonical: tampered, key: key))
    }

    func testOpenSSHKeysBothWays() throws {
        let generated = try Fixtures.run("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "alice@example", "-f", path("id_rsa")])
        XCTAssertEqual(generated.status, 0, generated.stderrText)
        let privateFile = try RSAKeyFile.load(read("id_rsa"))
        let publicFile = try RSAKeyFile.load(read("id_rsa.pub"))
        XCTAssertEqual(privateFile.format, .sshPrivate)
        XCTAssertEqual(publicFile.format, .sshPublic)
        XCTAssertEqual(privateFile.publicKey, publicFile.publicKey)
        XCTAssertEqual(publicFile.comment, "alice@example")
        XCTAssertNoThrow(try privateFile.requirePrivateKey().sign(message: [1]))
        // ssh-keygen reads our private key file and derives the same public key line.
        let ours = try write(privateFile.privateKeyBytes(.ssh)!, "ours")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: ours)
        let derived = try Fixtures.run("ssh-keygen", ["-y", "-f", ours])
        XCTAssertEqual(derived.status, 0, derived.stderrText)
        let derivedKey = try RSAKeyFile.load(derived.stdout)
        XCTAssertEqual(derivedKey.publicKey, publicFile.publicKey)
        XCTAssertEqual(String(decoding: publicFile.publicKeyBytes(.ssh), as: UTF8.self).split(separator: " ")[1],
                       String(decoding: try read("id_rsa.pub"), as: UTF8.self).split(separator: " ")[1])
        // An encrypted key gives a clear error.
        let encrypted = try Fixtures.run("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "secret pass", "-f", path("id_enc")])
        XCTAssertEqual(encrypted.status, 0, encrypted.stderrText)
        XCTAssertThrowsError(try RSAKeyFile.load(read("id_enc"))) { error in
            XCTAssertEqual((error as? RSAError)?.code, .encryptedKey)
        }
    }
}
