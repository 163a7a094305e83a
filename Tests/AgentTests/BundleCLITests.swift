import Agent
import Backends
import Foundation
import RSA
import TestSupport
import XCTest

/// `vpxi-agent check --bundle`: exit 0 with what would be enforced, 1 refused, 2 bad input.
final class BundleCLITests: XCTestCase {
    /// A temporary folder holding the registrar's public key, the host keys' folder and the agent.
    struct Setup {
        let directory: URL
        let keys = PackagePaths.corpus("backends").appendingPathComponent("keys")
        let registrarPath: String
        let agent = PackagePaths.executable("vpxi-agent")

        init(_ name: String) throws {
            directory = try BundleLab.temporaryDirectory(name)
            registrarPath = directory.appendingPathComponent("registrar.pub").path
            try BundleLab.key("registrar").publicKeyBytes(.pem).write(to: registrarPath)
        }
    }

    func testCheckBundleExitStatuses() throws {
        let setup = try Setup("cli")
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let (directory, keys, registrarPath, agent) = (setup.directory, setup.keys, setup.registrarPath, setup.agent)
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

    /// `check --bundle FILE` verifies a bundle archive (as the registrar serves it) exactly as
    /// the folder it holds; `run` refuses a file; no bundle at all is bad input.
    func testCheckBundleArchive() throws {
        let setup = try Setup("cli-archive")
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let (directory, keys, registrarPath, agent) = (setup.directory, setup.keys, setup.registrarPath, setup.agent)
        let hostKey = keys.appendingPathComponent("host-a.pem").path
        func check(_ path: String) throws -> ExternalTool.Result {
            try ExternalTool.run(agent, ["check", "--bundle", path, "--key", hostKey,
                                         "--registrar-key", registrarPath, "--at", "2026-12-01T10:00:00Z"])
        }
        let good = directory.appendingPathComponent("good")
        try BundleCheckTests.lab().write(to: good.path)
        let folder = good.appendingPathComponent("host-a").path
        let files = try BundleReader.read(directory: folder)
        let archive = BundleArchive.encode(HostBundle(host: "host-a", files: files.map { BundleFile(path: $0.key, bytes: $0.value) }))
        let archivePath = directory.appendingPathComponent("host-a.bundle").path
        try archive.write(to: archivePath)

        let fromFolder = try check(folder)
        let fromArchive = try check(archivePath)
        XCTAssertEqual(fromArchive.status, 0, fromArchive.stderrText)
        XCTAssertEqual(fromArchive.stdoutText, fromFolder.stdoutText)
        XCTAssertTrue(fromArchive.stdoutText.contains("4 security associations, 1 logins"), fromArchive.stdoutText)

        // One byte of a file changed inside the archive: refused, with the file named.
        var changed = files
        var esp = try XCTUnwrap(changed["esp.sexp"])
        esp[esp.count - 3] ^= 0x20
        changed["esp.sexp"] = esp
        try BundleArchive.encode(HostBundle(host: "host-a", files: changed.map { BundleFile(path: $0.key, bytes: $0.value) })).write(to: archivePath)
        let refused = try check(archivePath)
        XCTAssertEqual(refused.status, 1, refused.stderrText)
        XCTAssertTrue(refused.stderrText.contains("`esp.sexp` does not match its SHA-256"), refused.stderrText)

        // A file that is no archive: refused, and said so.
        let notArchive = try check(registrarPath)
        XCTAssertEqual(notArchive.status, 1, notArchive.stderrText)
        XCTAssertTrue(notArchive.stderrText.contains("is not a bundle archive"), notArchive.stderrText)

        // `run` watches folders: a file is bad input, before anything starts.
        let run = try ExternalTool.run(agent, ["run", "--bundle", archivePath, "--key", hostKey, "--registrar-key", registrarPath,
                                               "--state", directory.appendingPathComponent("state").path])
        XCTAssertEqual(run.status, 2, run.stderrText)
        XCTAssertTrue(run.stderrText.contains("is a file, not a bundle folder"), run.stderrText)

        // No bundle at all.
        let none = try ExternalTool.run(agent, ["check", "--key", hostKey, "--registrar-key", registrarPath])
        XCTAssertEqual(none.status, 2, none.stderrText)
        XCTAssertTrue(none.stderrText.contains("no bundle given"), none.stderrText)
    }

    /// `status` without a running agent's state, or with a file that is not its status: exit 2, and what to do.
    func testStatusWithoutAgentState() throws {
        let setup = try Setup("cli-status")
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let missing = try ExternalTool.run(setup.agent, ["status", "--state", setup.directory.appendingPathComponent("none").path])
        XCTAssertEqual(missing.status, 2, missing.stderrText)
        XCTAssertTrue(missing.stderrText.contains("does not exist\nhelp: a running agent writes it"), missing.stderrText)
        try Array("{\"not\": \"a status\"}".utf8).write(to: setup.directory.appendingPathComponent("status.json").path)
        let wrong = try ExternalTool.run(setup.agent, ["status", "--state", setup.directory.path])
        XCTAssertEqual(wrong.status, 2, wrong.stderrText)
        XCTAssertTrue(wrong.stderrText.contains("is not a status file\nhelp: it is written by `vpxi-agent run`"), wrong.stderrText)
        let raw = try ExternalTool.run(setup.agent, ["status", "--state", setup.directory.path, "--json"])
        XCTAssertEqual(raw.status, 0, raw.stderrText)
        XCTAssertEqual(raw.stdoutText, "{\"not\": \"a status\"}")
    }
}
