import Agent
import Foundation
import RSA
import TestSupport
import XCTest

/// `vpxi-agent check`: exit 0 valid, 1 refused, 2 malformed; never prints key material.
final class AgentCLITests: XCTestCase {
    private func input(wrapTo key: RSAPublicKey, spiOut: UInt32 = 0x2000) throws -> [UInt8] {
        let material = [UInt8](repeating: 0x5a, count: 20)
        let association = AgentInput.Association(
            spiIn: 0x1000, spiOut: spiOut, suite: .aes128GCM, keyIn: try AgentInput.wrap(material, to: key),
            keyOut: try AgentInput.wrap(material, to: key), localHIT: try HIT("2001:21::1"), peerHIT: try HIT("2001:21::2"),
            peer: "192.0.2.2:10500", start: Date(timeIntervalSince1970: 1_800_000_000),
            end: Date(timeIntervalSince1970: 1_800_003_600))
        let login = AuthorizedLogin(account: "alice", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA== a",
                                    expiry: Date(timeIntervalSince1970: 1_800_003_600))
        return Array(try AgentInput.encoder.encode(AgentInput(associations: [association], logins: [login])))
    }

    func testCheckExitStatuses() throws {
        let directory = try TemporaryDirectory.make("vpxi-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let host = NamespaceLab.hostKeys[0], other = NamespaceLab.hostKeys[1]
        let keyPath = directory.appendingPathComponent("host.key").path
        try RSAKeyFile(privateKey: host).privateKeyBytes(.pem)!.write(to: keyPath)
        let agent = PackagePaths.executable("vpxi-agent")
        let check = { (bytes: [UInt8]) throws -> ExternalTool.Result in
            let path = directory.appendingPathComponent("input-\(UUID().uuidString).json").path
            try bytes.write(to: path)
            return try ExternalTool.run(agent, ["check", "--input", path, "--key", keyPath])
        }
        let ok = try check(try input(wrapTo: host.publicKey))
        XCTAssertEqual(ok.status, 0, ok.stderrText)
        XCTAssertTrue(ok.stdoutText.contains("ok: 1 security associations, 1 logins"), ok.stdoutText)
        XCTAssertFalse(ok.stdoutText.contains("5a5a"), "no key material printed")
        let refused = try check(try input(wrapTo: other.publicKey))
        XCTAssertEqual(refused.status, 1, refused.stderrText)
        XCTAssertTrue(refused.stderrText.contains("A011"), refused.stderrText)
        let reserved = try check(try input(wrapTo: host.publicKey, spiOut: 7))
        XCTAssertEqual(reserved.status, 1, reserved.stderrText)
        let malformed = try check(Array("{\"associations\": 3}".utf8))
        XCTAssertEqual(malformed.status, 2, malformed.stderrText)
    }
}
