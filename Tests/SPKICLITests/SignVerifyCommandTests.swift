import Foundation
import TestSupport
import XCTest

final class SignVerifyCommandTests: XCTestCase {
    var directory: URL!
    var base: String!

    override func setUpWithError() throws {
        directory = try SPKITool.temporaryDirectory(self)
        base = directory.appendingPathComponent("alice").path
        let generated = try SPKITool.run(["keygen", "-o", base])
        XCTAssertEqual(generated.status, 0, generated.stderrText)
    }

    func write(_ text: String, _ name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testSignThenVerifyAndTamper() throws {
        let cert = try write("(cert (issuer alice) (subject bob) (tag (ftp)))\n", "cert.sexp")
        let signed = try SPKITool.run(["sign", "--key", base + ".key", cert])
        XCTAssertEqual(signed.status, 0, signed.stderrText)
        XCTAssertTrue(signed.stdoutText.hasPrefix("(signature\n (hash sha256 |"), signed.stdoutText)
        XCTAssertTrue(signed.stdoutText.contains("(rsa-pkcs1-sha256 |"))
        let signature = try write(signed.stdoutText, "cert.sig")
        // The same expression in canonical form verifies: the signature covers canonical bytes.
        let canonical = try write("(4:cert(6:issuer5:alice)(7:subject3:bob)(3:tag(3:ftp)))", "cert.canon")
        for content in [cert, canonical] {
            let verified = try SPKITool.run(["verify", "--key", base + ".pub", "--signature", signature, content])
            XCTAssertEqual(verified.status, 0, verified.stderrText)
            XCTAssertTrue(verified.stdoutText.hasPrefix("valid: rsa-pkcs1-sha256"))
        }
        // Every key format verifies.
        for target in ["pem", "pkcs8", "ssh", "pkcs1"] {
            let converted = try SPKITool.run(["key", "convert", "--to", target, "--public", base + ".key"])
            let keyPath = try write(converted.stdoutText, "key-\(target)")
            XCTAssertEqual(try SPKITool.run(["verify", "--key", keyPath, "--signature", signature, cert]).status, 0, target)
        }
        let tampered = try write("(cert (issuer alice) (subject eve) (tag (ftp)))", "tampered.sexp")
        let refused = try SPKITool.run(["verify", "--key", base + ".pub", "--signature", signature, tampered])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderrText.contains("does not match the content"), refused.stderrText)
        // Another key is refused with its reason.
        let other = directory.appendingPathComponent("mallory").path
        XCTAssertEqual(try SPKITool.run(["keygen", "-o", other]).status, 0)
        let wrongKey = try SPKITool.run(["verify", "--key", other + ".pub", "--signature", signature, cert])
        XCTAssertEqual(wrongKey.status, 1)
        XCTAssertTrue(wrongKey.stderrText.contains("names another signer"), wrongKey.stderrText)
        // A flipped bit in the signature value.
        let sigText = signed.stdoutText
        let marker = try XCTUnwrap(sigText.range(of: "(rsa-pkcs1-sha256 |"))
        var chars = Array(sigText)
        let index = sigText.distance(from: sigText.startIndex, to: marker.upperBound) + 10
        chars[index] = chars[index] == "A" ? "B" : "A"
        let flipped = try write(String(chars), "flipped.sig")
        let badSig = try SPKITool.run(["verify", "--key", base + ".pub", "--signature", flipped, cert])
        XCTAssertEqual(badSig.status, 1, badSig.stderrText)
        XCTAssertTrue(badSig.stderrText.contains("the signature does not match"), badSig.stderrText)
        // A malformed signature object is bad input.
        let malformed = try write("(signature (hash sha256 |AA==|))", "malformed.sig")
        XCTAssertEqual(try SPKITool.run(["verify", "--key", base + ".pub", "--signature", malformed, cert]).status, 2)
    }

    func testRawSignaturesInteroperateWithOpenSSL() throws {
        let openssl = try ExternalTool.require("openssl", package: "openssl")
        let blob = try write("raw bytes to sign\n", "blob")
        let rawSig = directory.appendingPathComponent("blob.sig").path
        let signed = try SPKITool.run(["sign", "--key", base + ".key", "--raw", "-o", rawSig, blob])
        XCTAssertEqual(signed.status, 0, signed.stderrText)
        let pem = directory.appendingPathComponent("alice.pem").path
        XCTAssertEqual(try SPKITool.run(["key", "convert", "--to", "pem", "--public", base + ".key", "-o", pem]).status, 0)
        let checked = try ExternalTool.run(openssl, ["dgst", "-sha256", "-verify", pem, "-signature", rawSig, blob])
        XCTAssertEqual(checked.status, 0, checked.stderrText)
        XCTAssertTrue(checked.stdoutText.contains("Verified OK"))
        let verified = try SPKITool.run(["verify", "--key", pem, "--raw-signature", rawSig, "--hash", "sha256", blob])
        XCTAssertEqual(verified.status, 0, verified.stderrText)
        // One byte short: invalid, with the reason.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: rawSig))
        let short = directory.appendingPathComponent("short.sig").path
        try bytes.dropLast().write(to: URL(fileURLWithPath: short))
        let refused = try SPKITool.run(["verify", "--key", pem, "--raw-signature", short, "--hash", "sha256", blob])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderrText.contains("255 bytes"), refused.stderrText)
        // Wrong hash: invalid.
        XCTAssertEqual(try SPKITool.run(["verify", "--key", pem, "--raw-signature", rawSig, "--hash", "sha512", blob]).status, 1)
        // --raw needs -o.
        XCTAssertNotEqual(try SPKITool.run(["sign", "--key", base + ".key", "--raw", blob]).status, 0)
    }

    func testLegacyHashNeedsFlagAndWarnsOnVerify() throws {
        let cert = try write("(cert (issuer alice))", "cert.sexp")
        let refused = try SPKITool.run(["sign", "--key", base + ".key", "--hash", "sha1", cert])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderrText.contains("--legacy-hash"), refused.stderrText)
        let signed = try SPKITool.run(["sign", "--key", base + ".key", "--hash", "sha1", "--legacy-hash", cert])
        XCTAssertEqual(signed.status, 0, signed.stderrText)
        XCTAssertTrue(signed.stdoutText.contains("(rsa-pkcs1-sha1 |"))
        let signature = try write(signed.stdoutText, "cert.sig")
        let verified = try SPKITool.run(["verify", "--key", base + ".pub", "--signature", signature, cert])
        XCTAssertEqual(verified.status, 0, verified.stderrText)
        XCTAssertTrue(verified.stderrText.contains("warning: sha1"), verified.stderrText)
    }

    func testSigningNeedsAPrivateKeyAndValidInput() throws {
        let cert = try write("(cert (issuer alice))", "cert.sexp")
        let publicOnly = try SPKITool.run(["sign", "--key", base + ".pub", cert])
        XCTAssertEqual(publicOnly.status, 2)
        XCTAssertTrue(publicOnly.stderrText.contains("signing needs the private key"))
        let broken = try write("(cert (issuer alice)", "broken.sexp")
        let malformed = try SPKITool.run(["sign", "--key", base + ".key", broken])
        XCTAssertEqual(malformed.status, 2)
        XCTAssertTrue(malformed.stderrText.contains("broken.sexp:"), malformed.stderrText)
        XCTAssertEqual(try SPKITool.run(["verify", "--key", base + ".pub", cert]).status, 2, "no signature given: usage error")
    }
}

extension SignVerifyCommandTests {
    func testLegacy1024BitKeyVerifiesWithAWarningButCannotSign() throws {
        let openssl = try ExternalTool.require("openssl", package: "openssl")
        let keyPath = directory.appendingPathComponent("old.pem").path
        let generated = try ExternalTool.run(openssl, ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", keyPath])
        XCTAssertEqual(generated.status, 0, generated.stderrText)
        let blob = try write("legacy object", "legacy")
        let sigPath = directory.appendingPathComponent("legacy.sig").path
        let signed = try ExternalTool.run(openssl, ["dgst", "-sha1", "-sign", keyPath, "-out", sigPath, blob])
        XCTAssertEqual(signed.status, 0, signed.stderrText)
        let verified = try SPKITool.run(["verify", "--key", keyPath, "--raw-signature", sigPath, "--hash", "sha1", blob])
        XCTAssertEqual(verified.status, 0, verified.stderrText)
        XCTAssertTrue(verified.stderrText.contains("warning: \(keyPath): the key has 1024 bits"), verified.stderrText)
        XCTAssertTrue(verified.stderrText.contains("warning: sha1"), verified.stderrText)
        let refused = try SPKITool.run(["sign", "--key", keyPath, blob])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderrText.contains("need at least 2048"), refused.stderrText)
    }
}
