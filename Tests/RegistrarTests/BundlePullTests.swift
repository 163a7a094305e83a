import Backends
import Foundation
import Registrar
import RSA
import SExpr
import TestSupport
import XCTest

/// The registrar's bundles are the back ends' (`NodeBundlePlanner` + `BundleBuilder`):
/// a bundle pulled over HTTP, unpacked from its archive, verifies with the real
/// `vpxi-agent check`.
final class BundlePullTests: RegistrarScratchTestCase {

    func testPulledBundleVerifiesWithTheAgent() async throws {
        try await withEnrolledLyon(slots: 4) { lyon, database, registrar, keys, hostKey in
            let created = try await FlowTests.create(registrar, "seg", machines: 2)
            XCTAssertEqual(created.status, 201, created.text)

            let pulled = try await registrar.client.get("v1/hosts/cap-01/bundles/seg")
            XCTAssertEqual(pulled.status, 200, pulled.text)
            let bundle = try BundleArchive.decode(pulled.body)
            XCTAssertEqual(bundle.host, "cap-01")
            XCTAssertNotNil(bundle.file(BundleManifest.fileName))
            XCTAssertNotNil(bundle.file(BundleManifest.signatureFileName))
            XCTAssertNotNil(bundle.file("esp.sexp"))
            let nodes = directory.appendingPathComponent("nodes").path
            try BundleWriter.write(bundle, to: nodes)

            let hostKeyPath = directory.appendingPathComponent("cap-01.key").path
            XCTAssertTrue(FileManager.default.createFile(atPath: hostKeyPath, contents: Data(try XCTUnwrap(hostKey.privateKeyBytes(.pem))),
                                                         attributes: [.posixPermissions: 0o600]))
            let registrarPath = directory.appendingPathComponent("lyon.pub").path
            try Data(lyon.publicKeyBytes(.pem)).write(to: URL(fileURLWithPath: registrarPath))
            let agent = PackagePaths.executable("vpxi-agent")
            func check(_ registrarKey: String) throws -> ExternalTool.Result {
                try ExternalTool.run(agent, ["check", "--bundle", "\(nodes)/cap-01", "--key", hostKeyPath, "--registrar-key", registrarKey])
            }
            let ok = try check(registrarPath)
            XCTAssertEqual(ok.status, 0, ok.stdoutText + ok.stderrText)
            XCTAssertTrue(ok.stdoutText.hasPrefix("ok: bundle of host cap-01 signed by registrar lyon"), ok.stdoutText)
            // The two VMs' link is one association each way, and alice may log into both
            // (her chains present the certs the resources signed at enrollment).
            XCTAssertTrue(ok.stdoutText.contains("2 logins"), ok.stdoutText)
            XCTAssertEqual(ok.stdoutText.components(separatedBy: "\nlogin ").count - 1, 2, ok.stdoutText)

            // Signed by lyon, so another registrar's key refuses it.
            let sophiaPath = directory.appendingPathComponent("sophia.pub").path
            try Data(try RegistrarFixture.corpusKey("sophia").publicKeyBytes(.pem)).write(to: URL(fileURLWithPath: sophiaPath))
            let refused = try check(sophiaPath)
            XCTAssertEqual(refused.status, 1, refused.stdoutText + refused.stderrText)

            // Unchanged: one round trip, no body.
            let again = try await registrar.client.get("v1/hosts/cap-01/bundles/seg", ifNoneMatch: pulled.etag)
            XCTAssertEqual(again.status, 304)
        }
    }

    /// `vpxi-agent run --registrar URL`: the agent pulls its bundle, writes it into its
    /// state directory and applies it after verifying it; run again, it sends the ETag
    /// and the registrar answers 304, so nothing is pulled.
    func testAgentRunPullsFromTheRegistrar() async throws {
        try await withEnrolledLyon(slots: 4) { lyon, database, registrar, keys, hostKey in
            let created = try await FlowTests.create(registrar, "seg", machines: 2)
            XCTAssertEqual(created.status, 201, created.text)

            let hostKeyPath = directory.appendingPathComponent("cap-01.key").path
            XCTAssertTrue(FileManager.default.createFile(atPath: hostKeyPath, contents: Data(try XCTUnwrap(hostKey.privateKeyBytes(.pem))),
                                                         attributes: [.posixPermissions: 0o600]))
            let registrarPath = directory.appendingPathComponent("lyon.pub").path
            try Data(lyon.publicKeyBytes(.pem)).write(to: URL(fileURLWithPath: registrarPath))
            let state = directory.appendingPathComponent("state").path
            func run(url: String? = nil) async throws -> String {
                let log = directory.appendingPathComponent("agent-\(UUID().uuidString).log")
                let process = try RegistrarFixture.startAgent(
                    ["run", "--registrar", url ?? "http://127.0.0.1:\(registrar.port)", "--host", "cap-01", "--vpxi", "seg",
                     "--key", hostKeyPath, "--registrar-key", registrarPath, "--state", state, "--pull-interval", "0.5"], log: log)
                let manifest = state + "/pulled/cap-01/manifest.sexp"
                for _ in 0..<100 where !(FileManager.default.fileExists(atPath: state + "/status.json") && FileManager.default.fileExists(atPath: manifest)) {
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await Task.sleep(for: .milliseconds(1500))
                process.terminate()
                process.waitUntilExit()
                XCTAssertEqual(process.terminationStatus, 0)
                return String(decoding: try Data(contentsOf: log), as: UTF8.self)
            }
            let first = try await run()
            XCTAssertTrue(first.contains("bundle pulled"), first)
            XCTAssertTrue(first.contains("bundle applied"), first)
            XCTAssertTrue(FileManager.default.fileExists(atPath: state + "/pulled/cap-01/esp.sexp"))
            let etag = try String(contentsOfFile: state + "/pulled/cap-01.etag", encoding: .utf8)
            let served = try await registrar.client.get("v1/hosts/cap-01/bundles/seg")
            XCTAssertEqual(etag, served.etag)

            let second = try await run()
            XCTAssertFalse(second.contains("bundle pulled"), "the unchanged bundle is not pulled again: \(second)")
            XCTAssertTrue(second.contains("bundle applied"), second)

            // The registrar unreachable (a closed port): the failure is logged and the
            // bundle already pulled is verified and applied all the same.
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
            }
            XCTAssertTrue(bound)
            let closedPort = Int(UInt16(bigEndian: address.sin_port))
            close(listener)
            let third = try await run(url: "http://127.0.0.1:\(closedPort)")
            XCTAssertTrue(third.contains("bundle pull failed, keeping the last one"), third)
            XCTAssertTrue(third.contains("bundle applied"), third)
        }
    }

    /// A renewal issued ahead of its epoch: its bundle still holds the running epoch's SAs
    /// (an agent applying it early keeps its traffic), and the next epoch's.
    func testRenewedBundleKeepsTheRunningEpoch() async throws {
        try await withClockedLyon(slots: 2) { service, database, clock, start, keys in
            let fragment = RegistrarFixture.fragment("seg", machines: 2, now: start, extra: "  link node[1] <-> node[2] { protect aes-128-gcm }\n")
            let created = try await service.handle(Array(try RequestSigner.sign(
                op: "create-vpxi", arguments: [["policy", .string(fragment)]], key: try RegistrarFixture.corpusKey("alice"), time: start).advanced(width: 0).utf8))
            XCTAssertEqual(created.first("epoch")?.tail.first?.text, "0", created.advanced())
            func epochs() async throws -> Set<String> {
                let pulled = try await service.bundle(host: "cap-01", vpxi: "seg", ifNoneMatch: nil)
                let esp = try XCTUnwrap(try BundleArchive.decode(try XCTUnwrap(pulled.body)).file("esp.sexp"))
                func indices(_ value: SExpr) -> [String] {
                    guard let items = value.listValue else { return [] }
                    let own = value.head == "epoch" ? [value.first("index")?.tail.first?.text].compactMap { $0 } : []
                    return own + items.flatMap(indices)
                }
                return Set(indices(try SExpr.parse(esp.bytes)))
            }
            let first = try await epochs()
            XCTAssertTrue(first.contains("0"), "\(first)")
            // Two minutes before epoch 1 starts, it is issued.
            clock.set(start - 600 + 3600 - 120)
            let renewed = try await service.renewDue()
            XCTAssertEqual(renewed, 1)
            let second = try await epochs()
            XCTAssertTrue(second.isSuperset(of: ["0", "1"]), "the renewed bundle has epoch 0's SAs (still running) and epoch 1's: \(second)")
        }
    }

    /// The ESP master secret lives in the registrar's key directory, mode 0600, made on
    /// first use and refused when others can read it.
    func testMasterSecretInTheKeyDirectory() throws {
        let keys = directory.appendingPathComponent("keys").path
        _ = try NodeBundleSource.load(keyDirectory: keys)
        let path = keys + "/esp-master.secret"
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertEqual((attributes[.size] as? NSNumber)?.intValue, 32)
        let first = try Data(contentsOf: URL(fileURLWithPath: path))
        _ = try NodeBundleSource.load(keyDirectory: keys)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), first, "an existing secret is kept")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        XCTAssertThrowsError(try NodeBundleSource.load(keyDirectory: keys)) { error in
            XCTAssertEqual((error as? RegistrarError)?.code, .malformed)
            XCTAssertTrue("\(error)".contains("chmod 600"), "\(error)")
        }
    }
}
