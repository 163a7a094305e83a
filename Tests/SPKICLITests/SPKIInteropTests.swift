import Foundation
import SExpr
import TestSupport
import XCTest

/// Certs made by other tools verify and reduce here, and ours verify with OpenSSL.
/// A missing tool skips the test locally and fails it under CI=true.
final class SPKIInteropTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try SPKITool.temporaryDirectory(self)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func run(_ tool: String, package: String, _ arguments: [String], input: [UInt8] = []) throws -> ExternalTool.Result {
        let executable = try ExternalTool.require(tool, package: package)
        let result = try ExternalTool.run(executable, arguments, input: input)
        XCTAssertEqual(result.status, 0, "\(tool) \(arguments.joined(separator: " ")): \(result.stderrText)")
        return result
    }

    func openssl(_ arguments: [String], input: [UInt8] = []) throws -> ExternalTool.Result {
        try run("openssl", package: "openssl", arguments, input: input)
    }

    func read(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path(name)))) }

    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    /// An OpenSSL key and its public key as nettle's pkcs1-conv writes it (canonical, rsa-pkcs1).
    func opensslKey(_ name: String) throws -> (pem: String, publicKey: [UInt8]) {
        _ = try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path("\(name).pem")])
        _ = try openssl(["pkey", "-in", path("\(name).pem"), "-pubout", "-out", path("\(name).pub.pem")])
        let converted = try run("pkcs1-conv", package: "nettle-bin", [], input: read("\(name).pub.pem"))
        XCTAssertFalse(converted.stdout.isEmpty)
        return (path("\(name).pem"), converted.stdout)
    }

    /// A cert built from text by sexp-conv and signed by `openssl dgst`, as a canonical
    /// `(sequence CERT SIGNATURE)`, with an ACL naming the issuer.
    func foreignCert(hash: String) throws -> (sequence: String, acl: String, subject: [UInt8]) {
        let issuer = try opensslKey("issuer"), subject = try opensslKey("subject")
        func advanced(_ canonical: [UInt8]) throws -> String {
            try run("sexp-conv", package: "nettle-bin", ["-s", "advanced"], input: canonical).stdoutText
        }
        let certText = "(cert (issuer \(try advanced(issuer.publicKey))) (subject \(try advanced(subject.publicKey))) "
            + "(propagate) (tag (ftp ftp.clark.net cme (* set read write))) (valid (not-after \"2030-01-01_00:00:00\")))"
        let cert = try run("sexp-conv", package: "nettle-bin", ["-s", "canonical"], input: Array(certText.utf8)).stdout
        let certPath = try write(cert, "cert.canon")
        let digest = try openssl(["dgst", "-\(hash)", "-binary", certPath]).stdout
        _ = try openssl(["dgst", "-\(hash)", "-sign", issuer.pem, "-out", path("cert.sig"), certPath])
        let signatureText = "(signature (hash \(hash) |\(Data(digest).base64EncodedString())|) \(try advanced(issuer.publicKey)) "
            + "(rsa-pkcs1-\(hash) |\(Data(try read("cert.sig")).base64EncodedString())|))"
        let signature = try run("sexp-conv", package: "nettle-bin", ["-s", "canonical"], input: Array(signatureText.utf8)).stdout
        let sequence = try write(Array("(8:sequence".utf8) + cert + signature + Array(")".utf8), "foreign.canon")
        let acl = try write(Array("(acl (entry \(try advanced(issuer.publicKey)) (propagate) (tag (*))))".utf8), "issuer.acl")
        return (sequence, acl, subject.publicKey)
    }

    func testForeignCertsVerifyAndReduce() throws {
        for hash in ["sha1", "sha256"] {
            let (sequence, acl, subjectKey) = try foreignCert(hash: hash)
            let subject = try write(subjectKey, "subject.sexp")
            let reduced = try SPKITool.run(["reduce", "--acl", acl, "--subject", "@" + subject, sequence])
            XCTAssertEqual(reduced.status, 0, "\(hash): \(reduced.stderrText)")
            XCTAssertTrue(reduced.stdoutText.contains("(tag (ftp ftp.clark.net cme (* set read write)))"), reduced.stdoutText)
            XCTAssertEqual(reduced.stderrText.contains("accepted only for legacy objects"), hash == "sha1", reduced.stderrText)
            // RFC 2693's ftp example, through the reduced grant.
            let read = try SPKITool.run(["reduce", "--acl", acl, "--tag", "(ftp ftp.clark.net cme read)", sequence])
            XCTAssertEqual(read.status, 0, read.stderrText)
            let delete = try SPKITool.run(["reduce", "--acl", acl, "--tag", "(ftp ftp.clark.net cme delete)", sequence])
            XCTAssertEqual(delete.status, 1, delete.stderrText)
            let proved = try SPKITool.run(["prove", "--acl", acl, "--certs", sequence, "--subject", "@" + subject,
                                           "--tag", "(ftp ftp.clark.net cme read)", "--at", "2029-01-01T00:00:00Z"])
            XCTAssertEqual(proved.status, 0, proved.stderrText)
            let shorter = try SPKITool.run(["prove", "--acl", acl, "--certs", sequence, "--subject", "@" + subject,
                                            "--tag", "(ftp ftp.clark.net cme)", "--at", "2029-01-01T00:00:00Z"])
            XCTAssertEqual(shorter.status, 1, shorter.stderrText)
            // A flipped byte in the signed cert: refused with the reason.
            var tampered = try Array(Data(contentsOf: URL(fileURLWithPath: sequence)))
            let marker = Array("cme".utf8)
            let at = (0..<(tampered.count - 3)).first { Array(tampered[$0..<$0 + 3]) == marker }!
            tampered[at] = UInt8(ascii: "x")
            let bad = try SPKITool.run(["reduce", "--acl", acl, try write(tampered, "tampered.canon")])
            XCTAssertEqual(bad.status, 1, bad.stderrText)
        }
    }

    func testOurCertsVerifyWithOpenSSL() throws {
        for name in ["r", "h"] { XCTAssertEqual(try SPKITool.run(["keygen", "-o", path(name)]).status, 0) }
        let made = try SPKITool.run(["cert", "--issuer", path("r.key"), "--subject", "@" + path("h.pub"), "--tag", "(vm r1 ssh)",
                                     "--not-after", "2026-12-31T00:00:00Z"])
        XCTAssertEqual(made.status, 0, made.stderrText)
        let sequence = try SExpr.parse(made.stdout)
        let items = Array(sequence.tail)
        let certPath = try write(items[0].canonical, "cert.canon")
        let signature = items[1]
        let value = try XCTUnwrap(Array(signature.tail)[2].tail.first?.atomBytes)
        let signaturePath = try write(value, "cert.sig")
        XCTAssertEqual(try SPKITool.run(["key", "convert", "--to", "pem", "--public", path("r.key"), "-o", path("r.pem")]).status, 0)
        let verified = try openssl(["dgst", "-sha256", "-verify", path("r.pem"), "-signature", signaturePath, certPath])
        XCTAssertTrue(verified.stdoutText.contains("Verified OK"))
        // The signature's hash is OpenSSL's SHA-256 of the canonical cert.
        let digest = try openssl(["dgst", "-sha256", "-binary", certPath]).stdout
        XCTAssertEqual(Array(signature.tail)[0].tail.last?.atomBytes, digest)
        // And sexp-conv reads the sequence we print.
        let converted = try run("sexp-conv", package: "nettle-bin", ["-s", "canonical"], input: made.stdout)
        XCTAssertEqual(converted.stdout, sequence.canonical)
    }
}
