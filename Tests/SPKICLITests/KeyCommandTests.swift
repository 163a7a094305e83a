import Foundation
import TestSupport
import XCTest

final class KeyCommandTests: XCTestCase {
    func testKeygenWritesPrivateKey0600AndPublicKey() throws {
        let directory = try SPKITool.temporaryDirectory(self)
        let base = directory.appendingPathComponent("alice").path
        for format in ["sexp", "pem", "ssh"] {
            let name = "\(base)-\(format)"
            let result = try SPKITool.run(["keygen", "--format", format, "-o", name])
            XCTAssertEqual(result.status, 0, result.stderrText)
            let attributes = try FileManager.default.attributesOfItem(atPath: name + ".key")
            XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600, format)
            let shown = try SPKITool.run(["key", "show", name + ".pub"])
            XCTAssertEqual(shown.status, 0, shown.stderrText)
            XCTAssertTrue(shown.stdoutText.contains("bits: 2048"), shown.stdoutText)
            let shownPrivate = try SPKITool.run(["key", "show", name + ".key"])
            XCTAssertTrue(shownPrivate.stdoutText.contains("kind: private key"))
            // The fingerprint is the same for both halves.
            let fingerprint = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("fingerprint:") } }
            XCTAssertNotNil(fingerprint(shown.stdoutText))
            XCTAssertEqual(fingerprint(shown.stdoutText), fingerprint(shownPrivate.stdoutText))
        }
        let again = try SPKITool.run(["keygen", "-o", base + "-sexp"])
        XCTAssertEqual(again.status, 2, "an existing key is not replaced")
        XCTAssertTrue(again.stderrText.contains("already exists"))
        XCTAssertEqual(try SPKITool.run(["keygen", "--bits", "1024", "-o", base]).status, 2, "usage error from the argument parser")
    }

    func testKeyShowDoesNotPrintKeyMaterial() throws {
        let directory = try SPKITool.temporaryDirectory(self)
        let base = directory.appendingPathComponent("k").path
        XCTAssertEqual(try SPKITool.run(["keygen", "--format", "pem", "-o", base]).status, 0)
        let shown = try SPKITool.run(["key", "show", base + ".key"])
        let modulus = try ExternalTool.run(try ExternalTool.require("openssl", package: "openssl"), ["rsa", "-in", base + ".key", "-noout", "-modulus"])
        let hexModulus = modulus.stdoutText.replacingOccurrences(of: "Modulus=", with: "").lowercased()
        XCTAssertGreaterThan(hexModulus.count, 100)
        XCTAssertFalse(shown.stdoutText.lowercased().contains(String(hexModulus.prefix(32))))
        XCTAssertTrue(shown.stdoutText.contains("format: PKCS#1 PEM"))
        XCTAssertTrue(shown.stdoutText.contains("principal: (hash sha256 |"))
    }

    func testConvertBetweenFormatsKeepsTheKey() throws {
        let directory = try SPKITool.temporaryDirectory(self)
        let base = directory.appendingPathComponent("k").path
        XCTAssertEqual(try SPKITool.run(["keygen", "-o", base]).status, 0)
        let reference = try SPKITool.run(["key", "show", base + ".pub"]).stdoutText
        let fingerprint = reference.split(separator: "\n").first { $0.hasPrefix("fingerprint:") }
        for target in ["sexp", "pem", "pkcs8", "pkcs1", "ssh"] {
            let out = directory.appendingPathComponent("out-\(target)").path
            let converted = try SPKITool.run(["key", "convert", "--to", target, base + ".key", "-o", out])
            XCTAssertEqual(converted.status, 0, converted.stderrText)
            let mode = try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? NSNumber
            XCTAssertEqual(mode?.intValue, 0o600, "a converted private key is private: \(target)")
            let shown = try SPKITool.run(["key", "show", out])
            XCTAssertTrue(shown.stdoutText.contains("kind: private key"), target)
            XCTAssertEqual(shown.stdoutText.split(separator: "\n").first { $0.hasPrefix("fingerprint:") }, fingerprint, target)
            let publicOnly = try SPKITool.run(["key", "convert", "--to", target, "--public", base + ".key"])
            XCTAssertEqual(publicOnly.status, 0)
            let shownPublic = try SPKITool.run(["key", "show", "-"], input: publicOnly.stdout)
            XCTAssertTrue(shownPublic.stdoutText.contains("kind: public key"), target)
        }
        // A public S-expression key converted to sexp keeps its principal.
        let same = try SPKITool.run(["key", "convert", "--to", "sexp", base + ".pub"])
        let principal = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("principal:") } }
        XCTAssertEqual(principal(try SPKITool.run(["key", "show", "-"], input: same.stdout).stdoutText), principal(reference))
    }

    func testAPrivateKeyIsNotPrintedOnATerminal() throws {
        let script = try ExternalTool.require("script", package: "bsdutils")
        let directory = try SPKITool.temporaryDirectory(self)
        let base = directory.appendingPathComponent("k").path
        XCTAssertEqual(try SPKITool.run(["keygen", "-o", base]).status, 0)
        // `script` gives the command a terminal as its standard output.
        let onTerminal = try ExternalTool.run(script, ["-qec", "'\(SPKITool.path)' key convert --to pkcs8 '\(base).key'", "/dev/null"])
        XCTAssertEqual(onTerminal.status, 2, onTerminal.stdoutText)
        XCTAssertTrue(onTerminal.stdoutText.contains("refusing to print a private key on a terminal"), onTerminal.stdoutText)
        XCTAssertFalse(onTerminal.stdoutText.contains("PRIVATE KEY"), "no key material on the terminal")
        // The public half may be shown; a pipe gets the private key (the user asked for it).
        let publicOnTerminal = try ExternalTool.run(script, ["-qec", "'\(SPKITool.path)' key convert --to pem --public '\(base).key'", "/dev/null"])
        XCTAssertEqual(publicOnTerminal.status, 0, publicOnTerminal.stdoutText)
        XCTAssertTrue(publicOnTerminal.stdoutText.contains("BEGIN PUBLIC KEY"), publicOnTerminal.stdoutText)
        let piped = try SPKITool.run(["key", "convert", "--to", "pkcs8", base + ".key"])
        XCTAssertEqual(piped.status, 0, piped.stderrText)
        XCTAssertTrue(piped.stdoutText.hasPrefix("-----BEGIN PRIVATE KEY-----"))
    }

    func testBadKeyFilesGiveClearErrors() throws {
        let directory = try SPKITool.temporaryDirectory(self)
        let base = directory.appendingPathComponent("k").path
        XCTAssertEqual(try SPKITool.run(["keygen", "--format", "pem", "-o", base]).status, 0)
        let pem = try String(contentsOfFile: base + ".key", encoding: .utf8)
        let cases: [(String, String)] = [
            (String(pem.prefix(pem.count / 2)), "no END line; the file is truncated"),
            (pem.replacingOccurrences(of: "RSA PRIVATE KEY", with: "CERTIFICATE"), "is not an RSA key"),
            (pem.replacingOccurrences(of: "\n-----END", with: "x\n-----END"), "not a multiple of 4"),
            ("(public-key (rsa-pkcs1-sha256 (n #00c5#) (e #01#)))", "the public exponent is 1"),
            ("(public-key (rsa-pkcs1-sha256 (n |", "R060"),
            ("", "the key file is empty"),
        ]
        for (input, expected) in cases {
            let result = try SPKITool.run(["key", "show", "-"], input: input)
            XCTAssertEqual(result.status, 2, expected)
            XCTAssertTrue(result.stderrText.hasPrefix("error: <stdin>: "), result.stderrText)
            XCTAssertTrue(result.stderrText.contains(expected), "expected `\(expected)` in: \(result.stderrText)")
        }
        let missing = try SPKITool.run(["key", "show", directory.appendingPathComponent("nope").path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderrText.contains("cannot read"))
    }

    /// `spki key show` prints the ORCHIDv2 HIT, the same for every format of one key, and
    /// equal to the independently computed vector (`corpus/backends/hit-vectors.txt`).
    func testKeyShowPrintsTheHIT() throws {
        let vectors = try String(contentsOf: PackagePaths.corpus("backends/hit-vectors.txt"), encoding: .utf8)
        let line = try XCTUnwrap(vectors.split(separator: "\n").first { $0.hasPrefix("vm-1.pem ") })
        let expected = String(line.split(separator: " ")[1])
        let key = PackagePaths.corpus("backends/keys/vm-1.pem").path
        let shown = try SPKITool.run(["key", "show", key])
        XCTAssertEqual(shown.status, 0, shown.stderrText)
        let hitLine = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("hit: ") }.map(String.init) }
        XCTAssertEqual(hitLine(shown.stdoutText), "hit: \(expected)")
        for format in ["sexp", "ssh", "pem"] {
            let converted = try SPKITool.run(["key", "convert", "--public", "--to", format, key])
            XCTAssertEqual(converted.status, 0, converted.stderrText)
            let again = try SPKITool.run(["key", "show", "-"], input: converted.stdout)
            XCTAssertEqual(hitLine(again.stdoutText), "hit: \(expected)", format)
        }
    }
}
