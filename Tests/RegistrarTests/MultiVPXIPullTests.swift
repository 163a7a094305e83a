import Agent
import Backends
import Foundation
import Logging
@testable import Registrar
import RSA
import SExpr
import TestSupport
import XCTest

/// One agent following every vpxi of its host (`vpxi-agent run --registrar URL --host H`,
/// no `--vpxi`) against a real registrar: the host's bundle index with its ETag (an
/// unchanged state is one round trip), each vpxi's bundle applied on its own (a tampered
/// one keeps that vpxi's last good state and holds back no other), and a released vpxi's
/// SSH keys removed.
final class MultiVPXIPullTests: RegistrarScratchTestCase {

    /// The authorized_keys files under `keys`, as `VM/ACCOUNT`.
    func authorized(_ keys: String) -> [String] {
        let vms = (try? FileManager.default.contentsOfDirectory(atPath: keys)) ?? []
        return vms.flatMap { vm in ((try? FileManager.default.contentsOfDirectory(atPath: "\(keys)/\(vm)")) ?? []).map { "\(vm)/\($0)" } }.sorted()
    }

    func testAgentFollowsEveryVPXIOfItsHost() async throws {
        try await withEnrolledLyon(slots: 5) { lyon, database, registrar, keys, hostKey in
            for (name, machines) in [("seg", 2), ("web", 1)] {
                let created = try await FlowTests.create(registrar, name, machines: machines)
                XCTAssertEqual(created.status, 201, created.text)
            }
            let hostKeyPath = try keyFile(hostKey, "cap-01.key", private: true)
            let lyonPub = try keyFile(lyon, "lyon.pub", private: false)

            // The index, with its ETag: unchanged, a 304.
            let index = try await registrar.client.get("v1/hosts/cap-01/bundles")
            XCTAssertEqual(index.status, 200, index.text)
            XCTAssertTrue(index.text.contains("(vpxi seg)") && index.text.contains("(vpxi web)"), index.text)
            let notModified = try await registrar.client.get("v1/hosts/cap-01/bundles", ifNoneMatch: index.etag)
            XCTAssertEqual(notModified.status, 304)

            // The command: `vpxi-agent run --registrar URL --host cap-01`, no --vpxi.
            let cliState = directory.appendingPathComponent("cli-state").path
            let cliKeys = directory.appendingPathComponent("cli-keys").path
            let logFile = directory.appendingPathComponent("agent.log")
            let process = try RegistrarFixture.startAgent(
                ["run", "--registrar", "http://127.0.0.1:\(registrar.port)", "--host", "cap-01", "--key", hostKeyPath,
                 "--registrar-key", lyonPub, "--state", cliState, "--authorized-keys-dir", cliKeys, "--pull-interval", "0.5"], log: logFile)
            for _ in 0..<100 where authorized(cliKeys).count < 3 { try await Task.sleep(for: .milliseconds(100)) }
            try await Task.sleep(for: .milliseconds(1200))  // a few more pulls: the index unchanged
            process.terminate()
            process.waitUntilExit()
            let cliLog = String(decoding: try Data(contentsOf: logFile), as: UTF8.self)
            XCTAssertEqual(process.terminationStatus, 0, cliLog)
            XCTAssertEqual(authorized(cliKeys), ["seg-node-1/alice", "seg-node-2/alice", "web-node-1/alice"], cliLog)
            XCTAssertEqual(cliLog.components(separatedBy: "bundle pulled").count - 1, 2, "each bundle pulled once: \(cliLog)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(cliState)/pulled/vpxis/seg/cap-01/manifest.sexp"))

            // The library, step by step.
            let state = directory.appendingPathComponent("state").path
            let authorizedKeys = directory.appendingPathComponent("keys").path
            let pull = RegistrarPull(base: URL(string: "http://127.0.0.1:\(registrar.port)")!, host: "cap-01", vpxi: nil, stateDirectory: state)
            let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            let set = BundleSet(directory: pull.setDirectory, host: "cap-01", registrar: lyon, recordPath: "\(state)/bundles-generated", logger: logger)
            var options = AgentRuntime.Options(source: .bundleSet(set), stateDirectory: state, authorizedKeysDirectory: authorizedKeys, tunName: nil,
                                               listen: try Locator(parsing: "127.0.0.1:10500"), retryRefused: 0)
            options.pull = pull
            let runtime = AgentRuntime(options: options, hostKey: try hostKey.requirePrivateKey(), logger: logger)
            let first = try await RegistrarFixture.blocking { try pull.pullAll() }
            XCTAssertEqual(first.updated, ["seg", "web"])
            let unchanged = try await RegistrarFixture.blocking { try pull.pullAll() }
            XCTAssertEqual(unchanged, RegistrarPull.AllOutcome(unchanged: true), "unchanged: the index's 304, nothing else")
            try await RegistrarFixture.blocking { runtime.reload() }
            XCTAssertEqual(set.applied, ["seg", "web"])
            XCTAssertEqual(authorized(authorizedKeys), ["seg-node-1/alice", "seg-node-2/alice", "web-node-1/alice"])

            // seg's bundle tampered with in the database while a new vpxi arrives: seg keeps
            // its last good state, db is applied.
            // (Stored as a base and a delta since migration 6; a whole `data` wins over them.)
            let stored = try await registrar.service.bundle(host: "cap-01", vpxi: "seg", ifNoneMatch: nil)
            let archive = try BundleArchive.decode(try XCTUnwrap(stored.body))
            let tampered = HostBundle(host: archive.host, files: archive.files.map { file in
                guard file.path == "authorized.sexp" else { return file }
                return BundleFile(path: file.path, bytes: file.bytes + Array("\n".utf8), mode: file.mode)
            })
            _ = try await database.transaction { tx in
                try await tx.query("UPDATE bundles SET data = $1, etag = '\"tampered\"' WHERE host = 'cap-01' AND vpxi = 'seg'",
                                   [.bytes(BundleArchive.encode(tampered))])
            }
            // A write behind the registrar's back: on SQLite it is the only writer and trusts
            // the ETags it remembers (Docs/registrar.md), so tell it, as its own writes do.
            registrar.service.etags.forget(vpxi: "seg")
            let created = try await FlowTests.create(registrar, "db", machines: 1)
            XCTAssertEqual(created.status, 201, created.text)
            let second = try await RegistrarFixture.blocking { try pull.pullAll() }
            XCTAssertEqual(second.updated.sorted(), ["db", "seg"], "\(second)")
            try await RegistrarFixture.blocking { runtime.reload() }
            // seg's folder holds the tampered bundle, yet seg's logins are still enforced.
            XCTAssertThrowsError(try AgentBundle.load(directory: "\(pull.setDirectory)/seg/cap-01", hostKey: try hostKey.requirePrivateKey(), registrar: lyon))
            XCTAssertEqual(set.applied, ["db", "seg", "web"])
            XCTAssertEqual(authorized(authorizedKeys), ["db-node-1/alice", "seg-node-1/alice", "seg-node-2/alice", "web-node-1/alice"])

            // web released: its folder, its SSH keys and its SAs go; the others stay.
            let released = try await registrar.client.post("v1/vpxis/web/release", op: "release-vpxi", arguments: [["vpxi", "web"]],
                                                           key: try RegistrarFixture.corpusKey("alice"), time: RegistrarFixture.now)
            XCTAssertEqual(released.status, 200, released.text)
            let third = try await RegistrarFixture.blocking { try pull.pullAll() }
            XCTAssertEqual(third.removed, ["web"])
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(pull.setDirectory)/web"))
            try await RegistrarFixture.blocking { runtime.reload() }
            XCTAssertEqual(set.applied, ["db", "seg"])
            XCTAssertEqual(authorized(authorizedKeys), ["db-node-1/alice", "seg-node-1/alice", "seg-node-2/alice"])
        }
    }
}
