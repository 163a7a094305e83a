import Agent
import Foundation
import RSA
import TestSupport
import XCTest

/// `vpxi-agent check --bundle`: exit 0 with what would be enforced, 1 refused, 2 bad input.
final class BundleCLITests: XCTestCase {
    func testCheckBundleExitStatuses() throws {
        let directory = try BundleLab.temporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let keys = PackagePaths.corpus("backends").appendingPathComponent("keys")
        let registrarPath = directory.appendingPathComponent("registrar.pub").path
        try BundleLab.key("registrar").publicKeyBytes(.pem).write(to: registrarPath)
        let agent = PackagePaths.executable("vpxi-agent")
        func check(_ nodes: URL, host: String = "host-a", extra: [String] = []) throws -> ExternalTool.Result {
            try ExternalTool.run(agent, ["check", "--bundle", nodes.appendingPathComponent(host).path,
                                         "--key", keys.appendingPathComponent("\(host).pem").path,
                                         "--registrar-key", registrarPath, "--at", "2026-12-01T10:00:00Z"] + extra)
        }
        let good = directory.appendingPathComponent("good")
        try BundleCheckTests.lab().write(to: good.path)
        let ok = try check(good)
        XCTAssertEqual(ok.status, 0, ok.stderrText)
        XCTAssertTrue(ok.stdoutText.hasPrefix("ok: bundle of host host-a signed by registrar lyon"), ok.stdoutText)
        XCTAssertTrue(ok.stdoutText.contains("4 security associations, 1 logins"), ok.stdoutText)
        XCTAssertTrue(ok.stdoutText.contains("login vm-1/alice ssh-rsa until 2026-12-02T20:00:00Z"), ok.stdoutText)
        XCTAssertEqual(ok.stdoutText.components(separatedBy: "\nsa in 0x").count - 1, 4, ok.stdoutText)

        // One byte changed in a file: refused, exit 1, with the file named.
        let espPath = good.appendingPathComponent("host-a/esp.sexp").path
        var esp = try Array(Data(contentsOf: URL(fileURLWithPath: espPath)))
        esp[esp.count - 3] ^= 0x20
        try esp.write(to: espPath)
        let tampered = try check(good)
        XCTAssertEqual(tampered.status, 1, tampered.stderrText)
        XCTAssertTrue(tampered.stderrText.contains("error[A012]: `esp.sexp` does not match its SHA-256"), tampered.stderrText)

        // A refused chain: the report, then the error, exit 1.
        let expired = directory.appendingPathComponent("expired")
        try BundleCheckTests.lab([BundleLab.Login(expires: BundleLab.spki("2026-12-02T20:00:00Z"),
                                                  chainValidity: .init(notAfter: BundleLab.spki("2026-12-01T09:00:00Z")))]).write(to: expired.path)
        let refused = try check(expired)
        XCTAssertEqual(refused.status, 1, refused.stderrText)
        XCTAssertTrue(refused.stdoutText.hasPrefix("refused: "), refused.stdoutText)
        XCTAssertTrue(refused.stderrText.contains("error[A013]: login `alice` on `vm-1`: the chain does not grant ssh"), refused.stderrText)

        // Bad input: exit 2.
        let noRegistrar = try ExternalTool.run(agent, ["check", "--bundle", good.appendingPathComponent("host-a").path,
                                                       "--key", keys.appendingPathComponent("host-a.pem").path,
                                                       "--registrar-key", directory.appendingPathComponent("none.pub").path])
        XCTAssertEqual(noRegistrar.status, 2, noRegistrar.stderrText)
        XCTAssertTrue(noRegistrar.stderrText.contains("registrar"), noRegistrar.stderrText)
        XCTAssertEqual(try check(directory.appendingPathComponent("nowhere")).status, 2)
        XCTAssertEqual(try check(good, extra: ["--input", registrarPath]).status, 2)
        let badTime = try check(good, extra: ["--at", "yesterday"])
        XCTAssertEqual(badTime.status, 2, badTime.stderrText)
        // Nothing printed is key material: no hex run as long as a key.
        XCTAssertNil(ok.stdoutText.range(of: "[0-9a-f]{32}", options: .regularExpression), ok.stdoutText)
    }
}
