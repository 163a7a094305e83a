import Agent
import Foundation
import TestSupport
import XCTest

/// SSH enforcement against a real sshd (Debian's openssh-server) in a network namespace.
final class SSHEnforcementTests: XCTestCase {
    func testAuthorizedKeysLineCarriesExpiryTimeInUTCRoundedUp() throws {
        let expiry = ISO8601DateFormatter().date(from: "2026-11-30T10:15:20Z")!
        let login = AuthorizedLogin(account: "alice", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHh0 alice@lab", expiry: expiry)
        XCTAssertNoThrow(try login.validate())
        XCTAssertEqual(login.authorizedKeysLine,
                       "expiry-time=\"202611301016Z\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHh0 vpxi-agent:alice")
        for bad in [
            AuthorizedLogin(account: "../root", publicKey: login.publicKey, expiry: expiry),
            AuthorizedLogin(account: "alice", publicKey: "command=\"sh\" ssh-ed25519 AAAA", expiry: expiry),
            AuthorizedLogin(account: "alice", publicKey: "ssh-ed25519 AAAA\nssh-ed25519 BBBB", expiry: expiry),
        ] {
            XCTAssertThrowsError(try bad.validate()) { XCTAssertEqual(($0 as? AgentError)?.code, .invalidLogin) }
        }
    }

    func testEnforcerWritesAtomicallyAndRemovesExpiredKeys() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vpxi-keys-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let enforcer = SSHEnforcer(directory: directory, sessions: SSHSessions(procRoot: "/nonexistent"),
                                   logger: .init(label: "test"))
        let now = Date()
        try enforcer.apply([
            AuthorizedLogin(account: "alice", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA== a", expiry: now.addingTimeInterval(5)),
            AuthorizedLogin(account: "bob", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB== b", expiry: now.addingTimeInterval(60)),
            AuthorizedLogin(account: "carol", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC== c", expiry: now.addingTimeInterval(-1)),
        ], now: now)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).sorted(), ["alice", "bob"])
        enforcer.enforce(now: now.addingTimeInterval(6))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).sorted(), ["bob"])
        // An invalid set changes nothing.
        XCTAssertThrowsError(try enforcer.apply([AuthorizedLogin(account: "Bad Name", publicKey: "x", expiry: now)]))
        XCTAssertEqual(enforcer.active.map(\.account), ["bob"])
    }

    func testRealSSHDLoginEndsAtExpiryAndOpenSessionIsClosedWithinOneSecond() throws {
        try NamespaceLab.requireRoot()
        let sshd = try ExternalTool.require("sshd", package: "openssh-server")
        let ssh = try ExternalTool.require("ssh", package: "openssh-client")
        let keygen = try ExternalTool.require("ssh-keygen", package: "openssh-client")
        let lab = try SSHLab(sshd: sshd, keygen: keygen)
        defer { lab.close() }

        // Two keys for the same account: the first expires, the second stays valid.
        let expiry = Date().addingTimeInterval(9)
        try lab.writeInput([
            AuthorizedLogin(account: lab.account, publicKey: lab.publicKeys[0], expiry: expiry),
            AuthorizedLogin(account: lab.account, publicKey: lab.publicKeys[1], expiry: Date().addingTimeInterval(600)),
        ])
        try lab.startAgent()
        let keys = try String(contentsOfFile: "\(lab.authorizedDirectory)/\(lab.account)", encoding: .utf8)
        XCTAssertTrue(keys.contains("expiry-time=\""), keys)

        // While authorized: login works, with either key.
        let login = { (key: Int) -> Spawn.Result in lab.login(ssh, key: key) }
        XCTAssertEqual(lab.login(ssh, key: 0, waitForSSHD: true).output, "logged-in\n", lab.logs)
        XCTAssertEqual(login(1).output, "logged-in\n")

        // Open sessions, one per key.
        let expiring = lab.session(ssh, key: 0), staying = lab.session(ssh, key: 1)
        defer {
            Spawn.stop(expiring)
            Spawn.stop(staying)
        }
        try lab.waitFor("both sessions", seconds: 10) { SSHLab.sessionCount(lab.account) >= 2 }
        XCTAssertTrue(Spawn.isRunning(expiring))

        // At expiry: the session opened with the expired key ends within 1 s.
        guard let ended = SSHLab.endOfSession(expiring, after: expiry) else { return XCTFail("the session outlived its key by 3 s\n\(lab.logs)") }
        XCTAssertLessThanOrEqual(ended.timeIntervalSince(expiry), 1.0, "session closed \(ended.timeIntervalSince(expiry)) s after expiry")
        XCTAssertTrue(Spawn.isRunning(staying), "the session of the key still valid stays open")

        // After expiry: a new login with that key is refused; the other key still works.
        let refused = login(0)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertFalse(refused.output.contains("logged-in"))
        XCTAssertEqual(login(1).output, "logged-in\n")
        let remaining = try String(contentsOfFile: "\(lab.authorizedDirectory)/\(lab.account)", encoding: .utf8)
        XCTAssertFalse(remaining.contains(lab.publicKeys[0].split(separator: " ")[1]))
        XCTAssertTrue(lab.agentLog.contains("login removed"))
    }
}
