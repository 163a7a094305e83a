import Hashing
@testable import RSA
import SExpr
import XCTest

final class KeyFormatTests: XCTestCase {
    static let shared = Result { try RSAKeyGenerator.generate(bits: 2048) }
    func key() throws -> RSAPrivateKey { try Self.shared.get() }

    func code(_ body: () throws -> Void) -> RSAError.Code? {
        do { try body(); return nil } catch { return (error as? RSAError)?.code }
    }

    func testEveryFormatRoundTrips() throws {
        let file = RSAKeyFile(privateKey: try key(), comment: "test@host")
        let expectedFormats: [RSAKeyFile.OutputFormat: (RSAKeyFile.Format, RSAKeyFile.Format)] = [
            .sexp: (.sexp, .sexp), .pem: (.pkcs1PEM, .spkiPEM), .pkcs8: (.pkcs8PEM, .spkiPEM),
            .pkcs1: (.pkcs1PEM, .pkcs1PEM), .ssh: (.sshPrivate, .sshPublic),
        ]
        for format in RSAKeyFile.OutputFormat.allCases {
            let privateBytes = try XCTUnwrap(file.privateKeyBytes(format))
            let loaded = try RSAKeyFile.load(privateBytes)
            XCTAssertEqual(loaded.format, expectedFormats[format]!.0, "\(format)")
            XCTAssertEqual(loaded.publicKey, file.publicKey, "\(format)")
            XCTAssertEqual(try loaded.requirePrivateKey().components, try key().components, "\(format)")
            let publicBytes = file.publicKeyBytes(format)
            let loadedPublic = try RSAKeyFile.load(publicBytes)
            XCTAssertEqual(loadedPublic.format, expectedFormats[format]!.1, "\(format)")
            XCTAssertEqual(loadedPublic.publicKey, file.publicKey, "\(format)")
            XCTAssertFalse(loadedPublic.isPrivate)
            XCTAssertEqual(loadedPublic.fingerprint, file.fingerprint, "the fingerprint does not depend on the format")
            XCTAssertEqual(code { _ = try loadedPublic.requirePrivateKey() }, .notAPrivateKey)
        }
        XCTAssertEqual(try RSAKeyFile.load(file.publicKeyBytes(.ssh)).comment, "test@host")
        XCTAssertEqual(try RSAKeyFile.load(file.privateKeyBytes(.ssh)!).comment, "test@host")
        // Bare DER of every structure.
        let key = try key()
        for der in [RSADER.pkcs1(key), RSADER.pkcs8(key)] {
            XCTAssertTrue(try RSAKeyFile.load(der).isPrivate)
        }
        for der in [RSADER.pkcs1(key.publicKey), RSADER.spki(key.publicKey)] {
            XCTAssertEqual(try RSAKeyFile.load(der).publicKey, key.publicKey)
        }
    }

    func testSExpressionIntegersAreMinimalTwosComplement() throws {
        let key = try key()
        let value = RSASExpr.publicKey(key.publicKey)
        let n = try XCTUnwrap(value.tail.first?.first("n")?.tail.first?.atomBytes)
        let e = try XCTUnwrap(value.tail.first?.first("e")?.tail.first?.atomBytes)
        XCTAssertEqual(n.first, 0x00, "a 2048-bit modulus has its top bit set, so it gets a sign byte")
        XCTAssertEqual(Array(n.dropFirst()), key.publicKey.modulusBytes)
        XCTAssertEqual(e, [0x01, 0x00, 0x01])
        XCTAssertEqual(value.tail.first?.head, "rsa-pkcs1-sha256")
    }

    func testSExpressionInputVariantsAndPrincipalKeepsReceivedBytes() throws {
        let key = try key()
        let n = SExpr.bytes([0] + key.publicKey.modulusBytes)
        for algorithm in ["rsa-pkcs1", "rsa-pkcs1-sha1", "rsa-pkcs1-md5", "rsa", "rsa-pkcs1-sha256"] {
            let reversed: SExpr = ["public-key", [.string(algorithm), ["e", .bytes([1, 0, 1])], ["n", n]]]
            let loaded = try RSAKeyFile.load(reversed.canonical)
            XCTAssertEqual(loaded.publicKey, key.publicKey)
            XCTAssertEqual(loaded.algorithm, algorithm)
            XCTAssertEqual(loaded.principalBytes, reversed.canonical, "the principal is the key as received")
            XCTAssertEqual(loaded.principalHash().canonical, (["hash", "sha256", .bytes(HashAlgorithm.sha256.digest(reversed.canonical))] as SExpr).canonical)
            XCTAssertEqual(loaded.fingerprint, RSAKeyFile(privateKey: key).fingerprint)
            // Advanced and transport forms give the same principal.
            XCTAssertEqual(try RSAKeyFile.load(Array(reversed.advanced().utf8)).principalBytes, reversed.canonical)
            XCTAssertEqual(try RSAKeyFile.load(Array(reversed.transport().utf8)).principalBytes, reversed.canonical)
        }
    }

    func testSExpressionErrors() throws {
        let key = try key()
        let n = SExpr.bytes([0] + key.publicKey.modulusBytes)
        func load(_ value: SExpr) -> RSAError.Code? { code { _ = try RSAKeyFile.load(value.canonical) } }
        XCTAssertEqual(load(["public-key", ["rsa-pkcs1-sha256", ["n", n], ["e", .bytes([1])]]]), .exponentTooSmall, "e = 1")
        var even = [0] + key.publicKey.modulusBytes; even[even.count - 1] &= 0xfe
        XCTAssertEqual(load(["public-key", ["rsa-pkcs1-sha256", ["n", .bytes(even)], ["e", .bytes([1, 0, 1])]]]), .modulusEven)
        XCTAssertEqual(load(["public-key", ["rsa-pkcs1-sha256", ["n", n]]]), .sexpMissingField)
        XCTAssertEqual(load(["public-key", ["rsa-pkcs1-sha256", ["n", n], ["e", .bytes([1, 0, 1])], ["e", .bytes([3])]]]), .sexpDuplicateField)
        XCTAssertEqual(load(["public-key", ["rsa-pkcs1-sha256", ["n", .bytes(key.publicKey.modulusBytes)], ["e", .bytes([1, 0, 1])]]]), .sexpBadInteger, "negative n")
        XCTAssertEqual(load(["public-key", ["dsa", ["n", n], ["e", .bytes([1, 0, 1])]]]), .unsupportedAlgorithm)
        XCTAssertEqual(load(["cert", ["issuer", "x"]]), .sexpNotAKey)
        XCTAssertEqual(load(["public-key", ["rsa-pkcs1-sha256", ["n", n], ["x", .bytes([1])]]]), .sexpMalformed)
        XCTAssertEqual(code { _ = try RSAKeyFile.load(Array("(public-key (rsa".utf8)) }, .sexpMalformed)
        XCTAssertEqual(code { _ = try RSAKeyFile.load([]) }, .unknownFormat)
        XCTAssertEqual(code { _ = try RSAKeyFile.load(Array("hello".utf8)) }, .unknownFormat)
    }

    func testFlippedBitInEachSExpressionPrivateField() throws {
        let key = try key()
        let names = ["n", "e", "d", "p", "q", "a", "b", "c"]
        let expected: [RSAError.Code] = [.modulusNotProduct, .privateExponentMismatch, .privateExponentMismatch, .modulusNotProduct,
                                         .modulusNotProduct, .crtExponentMismatch, .crtExponentMismatch, .crtCoefficientMismatch]
        let original = RSASExpr.privateKey(key)
        for (index, name) in names.enumerated() {
            guard case .list(var outer) = original, case .list(var members) = outer[1],
                  case .list(var member) = members[index + 1], var bytes = member[1].atomBytes else { return XCTFail("shape") }
            bytes[bytes.count / 2] ^= 0x04
            member[1] = .bytes(bytes)
            members[index + 1] = .list(member)
            outer[1] = .list(members)
            let result = code { _ = try RSAKeyFile.load(SExpr.list(outer).canonical) }
            XCTAssertEqual(result, expected[index], "flipped bit in `\(name)`")
        }
    }

    func testPEMErrors() throws {
        let pem = Array(RSAKeyFile(privateKey: try key()).privateKeyBytes(.pem)!)
        let text = String(decoding: pem, as: UTF8.self)
        XCTAssertEqual(code { _ = try RSAKeyFile.load(Array(pem.prefix(pem.count / 2))) }, .pemTruncated, "truncated PEM")
        XCTAssertEqual(code { _ = try RSAKeyFile.load(Array(text.replacingOccurrences(of: "RSA PRIVATE KEY", with: "EC PRIVATE KEY").utf8)) }, .pemLabel)
        XCTAssertEqual(code { _ = try RSAKeyFile.load(Array(text.replacingOccurrences(of: "-----END RSA PRIVATE KEY-----", with: "-----END PRIVATE KEY-----").utf8)) }, .pemLabel)
        var lines = text.split(separator: "\n").map(String.init)
        lines[3].removeLast()
        XCTAssertEqual(code { _ = try RSAKeyFile.load(Array(lines.joined(separator: "\n").utf8)) }, .pemBase64, "odd base64")
        lines = text.split(separator: "\n").map(String.init)
        lines[3] = "%" + lines[3].dropFirst()
        XCTAssertEqual(code { _ = try RSAKeyFile.load(Array(lines.joined(separator: "\n").utf8)) }, .pemBase64, "bad character")
        lines = text.split(separator: "\n").map(String.init)
        lines.removeSubrange(3...5)
        XCTAssertEqual(code { _ = try RSAKeyFile.load(Array(lines.joined(separator: "\n").utf8)) }, .derMalformed, "missing lines: the DER is truncated")
        let encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n"
        XCTAssertEqual(code { _ = try RSAKeyFile.load(Array(encrypted.utf8)) }, .encryptedKey)
        let legacyEncrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMIIB\n-----END RSA PRIVATE KEY-----\n"
        XCTAssertEqual(code { _ = try RSAKeyFile.load(Array(legacyEncrypted.utf8)) }, .encryptedKey)
        let error = try XCTUnwrap({ () -> RSAError? in
            do { _ = try RSAKeyFile.load(Array(pem.prefix(pem.count / 2))); return nil } catch { return error as? RSAError }
        }())
        XCTAssertNotNil(error.help, "errors say how to fix")
    }

    func testOpenSSHErrors() throws {
        XCTAssertEqual(code { _ = try RSAKeyFile.load(Array("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA x".utf8)) }, .unsupportedAlgorithm)
        XCTAssertEqual(code { _ = try RSAKeyFile.load(Array("ssh-rsa".utf8)) }, .sshMalformed)
        XCTAssertEqual(code { _ = try RSAKeyFile.load(Array("ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB".utf8)) }, .sshMalformed, "truncated blob")
        // An encrypted OpenSSH key: cipher aes256-ctr.
        var writer = SSHWriter()
        writer.bytes = RSAOpenSSH.magic
        writer.string(Array("aes256-ctr".utf8))
        writer.string(Array("bcrypt".utf8))
        writer.string([0, 0, 0, 0])
        let armored = PEMArmor(label: "OPENSSH PRIVATE KEY", bytes: writer.bytes).text(lineWidth: 70)
        XCTAssertEqual(code { _ = try RSAKeyFile.load(Array(armored.utf8)) }, .encryptedKey)
    }

    func testSignatureObject() throws {
        let key = try key()
        let file = RSAKeyFile(privateKey: key)
        let content: SExpr = ["cert", ["issuer", "a"], ["subject", "b"]]
        let signer = try RSASigner(key: key)
        let signature = try SPKISignature.sign(canonical: content.canonical, signer: signer, principal: file.publicKeySExpr)
        let parsed = try SPKISignature(parsing: SExpr.parse(signature.sexp.canonical))
        XCTAssertNoThrow(try parsed.verify(canonical: content.canonical, key: file))
        let other: SExpr = ["cert", ["issuer", "a"], ["subject", "c"]]
        XCTAssertEqual(code { try parsed.verify(canonical: other.canonical, key: file) }, .contentHashMismatch)
        var byHash = parsed
        byHash.principal = file.principalHash()
        XCTAssertNoThrow(try byHash.verify(canonical: content.canonical, key: file))
        // Named by hash, verified with the same key read from PEM.
        let pemFile = try RSAKeyFile.load(file.publicKeyBytes(.pem))
        XCTAssertNoThrow(try byHash.verify(canonical: content.canonical, key: pemFile))
        var byOtherHash = parsed
        byOtherHash.principal = ["hash", "sha256", .bytes([UInt8](repeating: 1, count: 32))]
        XCTAssertEqual(code { try byOtherHash.verify(canonical: content.canonical, key: file) }, .principalMismatch)
        var wrongSig = parsed
        wrongSig.signature[10] ^= 1
        XCTAssertEqual(code { try wrongSig.verify(canonical: content.canonical, key: file) }, .signatureMismatch)
        var wrongAlgorithm = parsed
        wrongAlgorithm.algorithm = "rsa-pkcs1-sha512"
        XCTAssertEqual(code { try wrongAlgorithm.verify(canonical: content.canonical, key: file) }, .algorithmMismatch)
        let otherKey = RSAKeyFile(privateKey: try RSAKeyGenerator.generate(bits: 2048))
        XCTAssertEqual(code { try parsed.verify(canonical: content.canonical, key: otherKey) }, .principalMismatch)
        XCTAssertEqual(code { _ = try SPKISignature(parsing: ["signature", "x"]) }, .sexpMalformed)
    }
}

extension KeyFormatTests {
    func testPEMWithCRLFLineEnds() throws {
        let file = RSAKeyFile(privateKey: try key())
        let crlf = String(decoding: file.privateKeyBytes(.pkcs8)!, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n")
        XCTAssertEqual(try RSAKeyFile.load(Array(crlf.utf8)).publicKey, file.publicKey)
    }
}

extension KeyFormatTests {
    func testPKCS1VersionsAndTrailingData() throws {
        let der = RSADER.pkcs1(try key())
        XCTAssertEqual(Array(der.prefix(2)), [0x30, 0x82], "a SEQUENCE with a two-byte length")
        XCTAssertEqual(Array(der[4..<7]), [0x02, 0x01, 0x00], "version 0")
        var multiPrime = der
        multiPrime[6] = 0x01
        XCTAssertEqual(code { _ = try RSADER.privateKey(pkcs1: multiPrime) }, .unsupportedVersion)
        var extended = der + [0x05, 0x00]
        let length = (Int(der[2]) << 8 | Int(der[3])) + 2
        extended[2] = UInt8(length >> 8)
        extended[3] = UInt8(length & 0xff)
        XCTAssertEqual(code { _ = try RSADER.privateKey(pkcs1: extended) }, .derMalformed, "data after a version 0 key")
        XCTAssertEqual(code { _ = try RSADER.privateKey(pkcs1: der + [0]) }, .derMalformed, "bytes after the DER")
        XCTAssertNoThrow(try RSADER.privateKey(pkcs1: der))
    }
}
