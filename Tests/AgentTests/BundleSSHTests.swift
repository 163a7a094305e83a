import Agent
import Foundation
import RSA
import SPKI
import TestSupport
import XCTest

/// SSH end to end from a bundle: `vpxi-agent run --bundle` against a real sshd (Debian's
/// openssh-server) in a network namespace, with logins proved by real SPKI chains.
final class BundleSSHTests: XCTestCase {
    func testLoginsFromABundleEndAtChainExpiryAndWhenARenewalDropsThem() throws {
        try NamespaceLab.requireRoot()
        let sshd = try ExternalTool.require("sshd", package: "openssh-server")
        let ssh = try ExternalTool.require("ssh", package: "openssh-client")
        let keygen = try ExternalTool.require("ssh-keygen", package: "openssh-client")
        let lab = try SSHLab(sshd: sshd, keygen: keygen, vm: "vm-1")
        defer { lab.close() }

        // The bundle of host-a: two keys for the lab's account on vm-1, the first with a
        // chain that ends in 9 s, the second for 10 minutes.
        let now = Date()
        let seconds = Int64(now.timeIntervalSince1970)
        let expiry = Date(timeIntervalSince1970: TimeInterval(seconds + 9))
        func login(_ key: Int, until: Int64) -> BundleLab.Login {
            BundleLab.Login(user: lab.account, sshKey: nil, expires: SPKIDate(secondsSinceEpoch: until), sshLine: lab.publicKeys[key])
        }
        let nodes = lab.path("nodes")
        try BundleLab(window: BundleLab.around(now), generatedAt: SPKIDate(secondsSinceEpoch: seconds - 60),
                      logins: [login(0, until: seconds + 9), login(1, until: seconds + 600)]).write(to: nodes)
        try BundleLab.key("registrar").publicKeyBytes(.pem).write(to: lab.path("registrar.pub"))
        let keys = PackagePaths.corpus("backends").appendingPathComponent("keys/host-a.pem").path
        try lab.spawn([PackagePaths.executable("vpxi-agent"), "run", "--bundle", "\(nodes)/host-a", "--key", keys,
                       "--registrar-key", lab.path("registrar.pub"), "--state", lab.path("state"),
                       "--authorized-keys-dir", lab.authorizedDirectory, "--log-level", "debug"], log: "agent.log")
        let file = "\(lab.authorizedDirectory)/vm-1/\(lab.account)"
        try lab.waitFor("the agent's authorized_keys", seconds: 10) { FileManager.default.fileExists(atPath: file) }
        XCTAssertTrue(try String(contentsOfFile: file, encoding: .utf8).contains("expiry-time=\""))

        let run = { (key: Int) -> Spawn.Result in lab.login(ssh, key: key) }
        XCTAssertEqual(lab.login(ssh, key: 0, waitForSSHD: true).output, "logged-in\n", lab.logs)
        XCTAssertEqual(run(1).output, "logged-in\n", lab.logs)

        let expiring = lab.session(ssh, key: 0), staying = lab.session(ssh, key: 1)
        defer {
            Spawn.stop(expiring)
            Spawn.stop(staying)
        }
        try lab.waitFor("both sessions", seconds: 10) { SSHLab.sessionCount(lab.account) >= 2 }

        // The chain's end: the session of the first key ends within 1 s, a new login is refused.
        guard let ended = SSHLab.endOfSession(expiring, after: expiry) else { return XCTFail("the session outlived its chain by 3 s\n\(lab.logs)") }
        XCTAssertLessThanOrEqual(ended.timeIntervalSince(expiry), 1.0)
        XCTAssertTrue(Spawn.isRunning(staying))
        XCTAssertNotEqual(run(0).status, 0)
        XCTAssertEqual(run(1).output, "logged-in\n")

        // A tampered renewal is refused and changes nothing; a good renewal without the
        // second key ends its session too.
        try BundleLab(window: BundleLab.around(now), generatedAt: SPKIDate(secondsSinceEpoch: seconds - 30), logins: [])
            .write(to: nodes, corrupting: ("host-a", "authorized.sexp"))
        try lab.waitFor("the refusal", seconds: 5) { lab.agentLog.contains("bundle refused, keeping the last good one") }
        XCTAssertTrue(lab.agentLog.contains("authorized.sexp"), lab.agentLog)
        XCTAssertTrue(Spawn.isRunning(staying))
        XCTAssertEqual(run(1).output, "logged-in\n")

        try BundleLab(window: BundleLab.around(now), generatedAt: SPKIDate(secondsSinceEpoch: seconds - 20), logins: []).write(to: nodes)
        try lab.waitFor("the renewal to end the second session", seconds: 5) { !Spawn.isRunning(staying) }
        XCTAssertNotEqual(run(1).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file))
    }
}
