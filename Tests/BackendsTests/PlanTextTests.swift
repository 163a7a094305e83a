@testable import Backends
import XCTest

/// `PlanText.isSSHPublicKey` (one pass over the bytes, no split) answers as its
/// definition does: `TYPE BASE64 [COMMENT]` split on the first two spaces, TYPE one of
/// OpenSSH's key types, BASE64 non-empty base64 characters, the whole one printable line.
final class PlanTextTests: XCTestCase {
    /// The definition, written the plain way.
    static func reference(_ text: String) -> Bool {
        guard PlanText.isLine(text, limit: 16384) else { return false }
        let fields = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count >= 2, PlanText.sshKeyTypes.contains(String(fields[0])) else { return false }
        return !fields[1].isEmpty && fields[1].utf8.allSatisfy {
            PlanText.isAlnum($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "=")
        }
    }

    func testExamples() {
        XCTAssertTrue(PlanText.isSSHPublicKey("ssh-rsa AAAAB3NzaC1yc2E= alice"))
        XCTAssertTrue(PlanText.isSSHPublicKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"))
        XCTAssertTrue(PlanText.isSSHPublicKey("ssh-rsa AAAA alice@host with spaces"))
        XCTAssertFalse(PlanText.isSSHPublicKey("ssh-rsa"))
        XCTAssertFalse(PlanText.isSSHPublicKey("ssh-rsa "))
        XCTAssertFalse(PlanText.isSSHPublicKey("ssh-rsa  AAAA"), "an empty key between two spaces")
        XCTAssertFalse(PlanText.isSSHPublicKey("ssh-dss AAAA"))
        XCTAssertFalse(PlanText.isSSHPublicKey("command=\"x\" ssh-rsa AAAA"), "options before the type")
        XCTAssertFalse(PlanText.isSSHPublicKey("ssh-rsa AA\nAA"))
        XCTAssertFalse(PlanText.isSSHPublicKey("ssh-rsa AA-A"))
        XCTAssertFalse(PlanText.isSSHPublicKey("ssh-rsa " + String(repeating: "A", count: 16384)), "too long")
    }

    /// Random lines over a small alphabet (types, spaces, base64, stray characters): the
    /// same answer as the definition.
    func testAgreesWithTheDefinition() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-dss", " ", " ", "AAAA", "B3Nz", "+/", "=", "-", "é", "\t", "x", ""]
        var accepted = 0
        for _ in 0..<5000 {
            let count = Int.random(in: 0...6, using: &generator)
            let text = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let expected = Self.reference(text)
            XCTAssertEqual(PlanText.isSSHPublicKey(text), expected, text)
            if expected { accepted += 1 }
        }
        XCTAssertGreaterThan(accepted, 0, "the generator reaches accepted lines")
    }
}
