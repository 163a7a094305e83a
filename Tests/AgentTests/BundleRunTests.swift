import Agent
import Backends
import Foundation
import Logging
import RSA
import SPKI
import TestSupport
import XCTest

/// A log handler that keeps every message, for checking what the agent logged.
final class CapturedLog: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lock.lock()
        lines.append("\(event.level) \(event.message) \(fields)")
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return lines.joined(separator: "\n")
    }
}

/// `vpxi-agent run` over a bundle folder: a new good bundle is swapped in; a bad one is
/// refused with a log line and the last good one keeps working.
final class BundleRunTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try BundleLab.temporaryDirectory("run")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    func lab(generated offset: Int64, _ logins: [BundleLab.Login], now: Date) -> BundleLab {
        let seconds = Int64(now.timeIntervalSince1970)
        return BundleLab(window: BundleLab.around(now), generatedAt: SPKIDate(secondsSinceEpoch: seconds + offset), logins: logins)
    }

    static func login(_ user: String, key: String, until: Date) -> BundleLab.Login {
        BundleLab.Login(user: user, chainKey: key, sshKey: key, expires: SPKIDate(secondsSinceEpoch: Int64(until.timeIntervalSince1970)))
    }

    func testRunSwapsInGoodBundlesAndKeepsTheLastGoodOneOnABadOne() throws {
        let now = Date()
        let nodes = directory.appendingPathComponent("nodes").path
        let keysDirectory = directory.appendingPathComponent("keys").path
        let log = CapturedLog()
        let runtime = AgentRuntime(
            options: .init(source: .bundle(directory: "\(nodes)/host-a", registrar: try BundleLab.key("registrar")),
                           stateDirectory: directory.appendingPathComponent("state").path, authorizedKeysDirectory: keysDirectory,
                           tunName: nil, listen: try Locator(parsing: "127.0.0.1:10500"), retryRefused: 0),
            hostKey: try BundleLab.key("host-a").requirePrivateKey(), logger: Logger(label: "test") { _ in log })
        try FileManager.default.createDirectory(atPath: directory.appendingPathComponent("state").path, withIntermediateDirectories: true)
        let alice = "\(keysDirectory)/vm-1/alice", bob = "\(keysDirectory)/vm-1/bob"

        // 1. The first bundle: alice.
        try lab(generated: -7200, [Self.login("alice", key: "alice", until: now.addingTimeInterval(86400))], now: now).write(to: nodes)
        runtime.reload(now: now)
        let first = runtime.table.entries().map(\.association.spiIn)
        XCTAssertFalse(first.isEmpty, log.text)
        XCTAssertTrue(try String(contentsOfFile: alice, encoding: .utf8).contains(try BundleLab.sshLine("alice").split(separator: " ")[1]))
        XCTAssertTrue(log.text.contains("bundle applied"), log.text)

        // 2. A newer bundle: bob instead of alice, swapped in whole.
        try lab(generated: -3600, [Self.login("bob", key: "host-c", until: now.addingTimeInterval(86400))], now: now).write(to: nodes)
        runtime.reload(now: now)
        XCTAssertTrue(FileManager.default.fileExists(atPath: bob), log.text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: alice))
        XCTAssertEqual(runtime.activeLogins.map(\.account), ["bob"])
        runtime.writeStatus()
        let agent = PackagePaths.executable("vpxi-agent")
        let status = try ExternalTool.run(agent, ["status", "--state", directory.appendingPathComponent("state").path])
        XCTAssertEqual(status.status, 0, status.stderrText)
        XCTAssertTrue(status.stdoutText.contains("source: \(nodes)/host-a"), status.stdoutText)
        XCTAssertTrue(status.stdoutText.contains("authorized users: 1\n  vm-1/bob ssh-rsa"), status.stdoutText)
        XCTAssertTrue(status.stdoutText.contains("security associations: \(first.count)"), status.stdoutText)

        // 3. Bad bundles, each refused with its reason; bob and the SAs stay.
        let bad: [(String, () throws -> Void)] = [
            ("does not match its SHA-256", {
                try self.lab(generated: -1800, [Self.login("carol", key: "alice", until: now.addingTimeInterval(86400))], now: now).write(to: nodes)
                let path = "\(nodes)/host-a/esp.sexp"
                var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
                bytes[bytes.count / 2] ^= 0x01
                try bytes.write(to: path)
            }),
            ("signed by another key than the registrar's key", {
                var other = self.lab(generated: -1700, [], now: now)
                other.registrarKey = "host-c"
                try other.write(to: nodes)
            }),
            ("before the one running", {
                try self.lab(generated: -5000, [], now: now).write(to: nodes)
            }),
            ("the chain does not grant ssh", {
                var login = Self.login("carol", key: "alice", until: now.addingTimeInterval(86400))
                login.rights = .string("console")
                try self.lab(generated: -1600, [login], now: now).write(to: nodes)
            }),
        ]
        for (reason, make) in bad {
            try make()
            runtime.reload(now: now)
            XCTAssertTrue(log.text.contains("bundle refused, keeping the last good one"), log.text)
            XCTAssertTrue(log.text.components(separatedBy: "\n").last?.contains(reason) ?? false, "\(reason)\n\(log.text)")
            XCTAssertEqual(runtime.activeLogins.map(\.account), ["bob"], reason)
            XCTAssertTrue(FileManager.default.fileExists(atPath: bob), reason)
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(keysDirectory)/vm-1/carol"), reason)
            XCTAssertFalse(runtime.table.entries().isEmpty, reason)
        }
        runtime.writeStatus()
        let json = try String(contentsOfFile: directory.appendingPathComponent("state/status.json").path, encoding: .utf8)
        XCTAssertTrue(json.contains("\"last_error\""), json)

        // 4. A good bundle again: applied.
        try lab(generated: -1000, [Self.login("alice", key: "alice", until: now.addingTimeInterval(86400))], now: now).write(to: nodes)
        runtime.reload(now: now)
        XCTAssertEqual(runtime.activeLogins.map(\.account), ["alice"], log.text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: bob))

        // 5. After a restart, an older bundle is still refused: the time is kept in the state.
        try lab(generated: -1200, [], now: now).write(to: nodes)
        let restarted = AgentRuntime(options: runtime.options, hostKey: try BundleLab.key("host-a").requirePrivateKey(),
                                     logger: Logger(label: "test") { _ in log })
        restarted.reload(now: now)
        XCTAssertTrue(restarted.table.entries().isEmpty)
        XCTAssertTrue(log.text.components(separatedBy: "\n").last?.contains("before the one running") ?? false, log.text)
    }

    func testAnAgentStartedBeforeItsFirstBundleAppliesItWhenItArrives() throws {
        let now = Date()
        let nodes = directory.appendingPathComponent("nodes").path
        let log = CapturedLog()
        let runtime = AgentRuntime(
            options: .init(source: .bundle(directory: "\(nodes)/host-a", registrar: try BundleLab.key("registrar")),
                           stateDirectory: directory.appendingPathComponent("state").path, authorizedKeysDirectory: nil,
                           tunName: nil, listen: try Locator(parsing: "127.0.0.1:10500")),
            hostKey: try BundleLab.key("host-a").requirePrivateKey(), logger: Logger(label: "test") { _ in log })
        runtime.reload(now: now)
        runtime.reload(now: now.addingTimeInterval(0.5))
        XCTAssertTrue(runtime.table.entries().isEmpty)
        XCTAssertEqual(log.text.components(separatedBy: "cannot read").count - 1, 1, "logged once: \(log.text)")
        try lab(generated: -60, [], now: now).write(to: nodes)
        runtime.reload(now: now.addingTimeInterval(1))
        XCTAssertFalse(runtime.table.entries().isEmpty, log.text)
    }

    func testPendingLoginStartsAndExpiredLoginEnds() throws {
        let now = Date()
        let nodes = directory.appendingPathComponent("nodes").path
        let keysDirectory = directory.appendingPathComponent("keys").path
        let runtime = AgentRuntime(
            options: .init(source: .bundle(directory: "\(nodes)/host-a", registrar: try BundleLab.key("registrar")),
                           stateDirectory: directory.path, authorizedKeysDirectory: keysDirectory,
                           tunName: nil, listen: try Locator(parsing: "127.0.0.1:10500")),
            hostKey: try BundleLab.key("host-a").requirePrivateKey(), logger: Logger(label: "test") { _ in CapturedLog() })
        var later = Self.login("later", key: "alice", until: now.addingTimeInterval(7200))
        later.notBefore = SPKIDate(secondsSinceEpoch: Int64(now.timeIntervalSince1970) + 600)
        let soon = Self.login("soon", key: "host-c", until: now.addingTimeInterval(300))
        try lab(generated: -7200, [later, soon], now: now).write(to: nodes)
        runtime.reload(now: now)
        XCTAssertEqual(runtime.activeLogins.map(\.account), ["soon"])
        runtime.tick(now: now.addingTimeInterval(301))
        XCTAssertEqual(runtime.activeLogins.map(\.account), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(keysDirectory)/vm-1/soon"))
        runtime.tick(now: now.addingTimeInterval(601))
        XCTAssertEqual(runtime.activeLogins.map(\.account), ["later"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(keysDirectory)/vm-1/later"))
    }
}
