import Backends
import Foundation
import RSA
import SExpr
import TestSupport
import XCTest

/// The manifest signature verifies, and any change to a bundle is caught.
final class BundleVerifierTests: XCTestCase {
    func files(_ bundle: HostBundle) -> [String: [UInt8]] {
        Dictionary(uniqueKeysWithValues: bundle.files.map { ($0.path, $0.bytes) })
    }

    func code(_ body: () throws -> Void) -> BackendsError.Code? {
        do {
            try body()
            return nil
        } catch {
            return (error as? BackendsError)?.code
        }
    }

    func testEveryBundleVerifies() throws {
        let registrar = try Fixtures.key("registrar")
        for (host, bundle) in try TestPlan.bundles() {
            let manifest = try BundleVerifier.verify(files: files(bundle), registrar: registrar, host: host,
                                                     hostKey: try Fixtures.key(host).publicKey)
            XCTAssertEqual(manifest.registrar, "lyon")
            XCTAssertEqual(manifest.generatedAt, TestPlan.at)
            XCTAssertEqual(Set(manifest.entries.map(\.path)),
                           Set(bundle.files.map(\.path)).subtracting([BundleManifest.fileName, BundleManifest.signatureFileName]))
        }
    }

    /// One changed byte anywhere, in every file of every bundle, is refused.
    func testAChangedByteInAnyFileIsDetected() throws {
        let registrar = try Fixtures.key("registrar")
        for bundle in try TestPlan.bundles().values {
            let original = files(bundle)
            for (path, bytes) in original {
                for position in Set([0, bytes.count / 2, bytes.count - 1]) {
                    var changed = original
                    var copy = bytes
                    copy[position] ^= 0x01
                    changed[path] = copy
                    let found = code { _ = try BundleVerifier.verify(files: changed, registrar: registrar) }
                    XCTAssertNotNil(found, "\(bundle.host)/\(path) byte \(position)")
                    XCTAssertTrue(BackendsError(found ?? .cannotRead, "").isVerificationFailure, "\(path): \(String(describing: found))")
                    if path != BundleManifest.fileName && path != BundleManifest.signatureFileName {
                        XCTAssertEqual(found, .fileChanged, path)
                    }
                }
            }
        }
    }

    func testMissingExtraAndForeignFiles() throws {
        let bundles = try TestPlan.bundles()
        let registrar = try Fixtures.key("registrar")
        var missing = files(bundles["host-a"]!)
        missing["hip/hosts"] = nil
        XCTAssertEqual(code { _ = try BundleVerifier.verify(files: missing, registrar: registrar) }, .fileMissing)
        var extra = files(bundles["host-a"]!)
        extra["vms/intruder.xml"] = Array("<domain/>".utf8)
        XCTAssertEqual(code { _ = try BundleVerifier.verify(files: extra, registrar: registrar) }, .fileUnlisted)
        var unsigned = files(bundles["host-a"]!)
        unsigned[BundleManifest.signatureFileName] = nil
        XCTAssertEqual(code { _ = try BundleVerifier.verify(files: unsigned, registrar: registrar) }, .signatureMissing)
        var noManifest = files(bundles["host-a"]!)
        noManifest[BundleManifest.fileName] = nil
        XCTAssertEqual(code { _ = try BundleVerifier.verify(files: noManifest, registrar: registrar) }, .manifestMissing)
        // Another registrar's key, another host, another host key.
        let other = try Fixtures.key("host-c")
        XCTAssertEqual(code { _ = try BundleVerifier.verify(files: self.files(bundles["host-a"]!), registrar: other) }, .signatureInvalid)
        XCTAssertEqual(code { _ = try BundleVerifier.verify(files: self.files(bundles["host-a"]!), registrar: registrar, host: "host-b") }, .wrongHost)
        XCTAssertEqual(code {
            _ = try BundleVerifier.verify(files: self.files(bundles["host-a"]!), registrar: registrar, hostKey: try Fixtures.key("host-b").publicKey)
        }, .wrongHost)
        // One host's manifest and signature on another host's files.
        var swapped = files(bundles["host-b"]!)
        swapped[BundleManifest.fileName] = bundles["host-a"]!.file(BundleManifest.fileName)!.bytes
        swapped[BundleManifest.signatureFileName] = bundles["host-a"]!.file(BundleManifest.signatureFileName)!.bytes
        XCTAssertNotNil(code { _ = try BundleVerifier.verify(files: swapped, registrar: registrar) })
    }

    /// A bundle re-signed by another key, with a manifest that names that key, is still
    /// refused by a host that trusts its own registrar.
    func testASignatureByAnotherKeyIsRefused() throws {
        var plan = try TestPlan.make()
        plan.registrars = [BundlePlan.Registrar(name: "lyon", signingKey: try Fixtures.privateKey("alice"))]
        let forged = try BundleBuilder(plan: plan, secrets: TestPlan.secrets()).build(host: "host-a")
        XCTAssertNoThrow(try BundleVerifier.verify(files: files(forged), registrar: try Fixtures.key("alice")))
        XCTAssertEqual(code { _ = try BundleVerifier.verify(files: self.files(forged), registrar: try Fixtures.key("registrar")) }, .signatureInvalid)
        // The message says which: the signer is another key, not a damaged signature.
        do {
            _ = try BundleVerifier.verify(files: files(forged), registrar: try Fixtures.key("registrar"))
        } catch let error as BackendsError {
            XCTAssertTrue(error.message.contains("signed by another key than the registrar's key"), error.message)
            XCTAssertTrue(error.help?.contains("the registrar the bundle came from") ?? false, String(describing: error.help))
        }
    }

    func testTheManifestRoundTrips() throws {
        let bundle = try XCTUnwrap(try TestPlan.bundles()["host-b"])
        let value = try TestPlan.sexp(bundle, BundleManifest.fileName)
        let manifest = try BundleManifest(parsing: value)
        XCTAssertEqual(manifest.sexp, value)
        XCTAssertTrue(manifest.entries.contains { $0.path == "vms/vm-2.cfg" && $0.mode == 0o644 })
        XCTAssertTrue(manifest.entries.contains { $0.path == "esp/xfrm.sh" && $0.mode == 0o755 })
        XCTAssertThrowsError(try BundleManifest(parsing: ["bundle-manifest", ["version", "2"]]))
        XCTAssertThrowsError(try BundleManifest(parsing: ["bundle-manifest", ["version", "1"], ["file", "../etc/passwd"]]))
    }
}

/// The manifest signature checked by tools other than `BundleVerifier`.
final class ManifestInteropTests: XCTestCase {
    /// `manifest.sexp` holds the exact signed bytes, so OpenSSL verifies the bare PKCS#1
    /// v1.5 signature of `manifest.sig` over the file as it is.
    func testOpenSSLVerifiesTheManifestSignature() throws {
        let openssl = try ExternalTool.require("openssl", package: "openssl")
        let directory = try Fixtures.temporaryDirectory(self)
        let publicKey = directory.appendingPathComponent("registrar.pub.pem")
        try Data(try Fixtures.key("registrar").publicKeyBytes(.pem)).write(to: publicKey)
        for bundle in try TestPlan.bundles().values {
            let manifest = directory.appendingPathComponent("\(bundle.host).manifest")
            try Data(bundle.file(BundleManifest.fileName)!.bytes).write(to: manifest)
            let signature = try SExpr.parse(bundle.file(BundleManifest.signatureFileName)!.bytes)
            let raw = try XCTUnwrap(signature.first("rsa-pkcs1-sha256")?.tail.first?.atomBytes)
            let sig = directory.appendingPathComponent("\(bundle.host).sig")
            try Data(raw).write(to: sig)
            let result = try ExternalTool.run(openssl, ["dgst", "-sha256", "-verify", publicKey.path, "-signature", sig.path, manifest.path])
            XCTAssertEqual(result.status, 0, "\(bundle.host): \(result.stdoutText)\(result.stderrText)")
            var changed = bundle.file(BundleManifest.fileName)!.bytes
            changed[changed.count / 2] ^= 1
            try Data(changed).write(to: manifest)
            XCTAssertNotEqual(try ExternalTool.run(openssl, ["dgst", "-sha256", "-verify", publicKey.path, "-signature", sig.path, manifest.path]).status, 0)
        }
    }
}
