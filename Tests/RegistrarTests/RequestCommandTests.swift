import Foundation
@testable import Registrar
import RSA
import SExpr
import SPKI
import TestSupport
import XCTest

/// `vpxi-registrar request ...` against a registrar on loopback: flow 3 from the command
/// line (create, add erin, sign and send the delegation, remove erin, release), refusals
/// printed as the registrar's errors (exit 1), an unreachable registrar (exit 1) and bad
/// input (exit 2); and `ClientRequest`'s reading of what it is given.
final class RequestCommandTests: RegistrarScratchTestCase {
    func testFlow3FromTheCommandLine() async throws {
        try await withEnrolledLyon(slots: 2) { _, _, registrar, _, _ in
            let tool = PackagePaths.executable("vpxi-registrar")
            let url = "http://127.0.0.1:\(registrar.port)"
            let alice = PackagePaths.corpus("keys/alice.key").path
            let carol = PackagePaths.corpus("keys/carol.key").path
            let directory = self.directory!
            func request(_ arguments: [String], key: String = alice) async throws -> ExternalTool.Result {
                try await RegistrarFixture.blocking { try ExternalTool.run(tool, ["request"] + arguments + ["--url", url, "--key", key]) }
            }
            let policy = directory.appendingPathComponent("seg.vp")
            try Data(RegistrarFixture.fragment("seg", machines: 2, now: RegistrarFixture.now).utf8).write(to: policy)
            let created = try await request(["create-vpxi", policy.path])
            XCTAssertEqual(created.status, 0, created.stderrText)
            XCTAssertEqual(try SExpr.parse(Array(created.stdout)).first("name")?.tail.first?.text, "seg")

            let answer = directory.appendingPathComponent("added.sexp").path
            let added = try await request(["add-user", "--vpxi", "seg", "--user", "erin", "--rights", "ssh", "--on", "node[1]", "-o", answer])
            XCTAssertEqual(added.status, 0, added.stderrText)
            XCTAssertEqual(added.stdoutText, "")
            let pending = try await registrar.client.get("v1/vpxis/seg/chains/erin")
            XCTAssertTrue(pending.text.contains("(pending"), pending.text)

            let delegated = try await request(["delegate", answer])
            XCTAssertEqual(delegated.status, 0, delegated.stderrText)
            XCTAssertEqual(try SExpr.parse(Array(delegated.stdout)).head, "delegated")
            let complete = try await registrar.client.get("v1/vpxis/seg/chains/erin")
            XCTAssertEqual(complete.status, 200)
            XCTAssertFalse(complete.text.contains("(pending"), complete.text)
            // The same answer again: accepted as the same delegation, nothing changes.
            let again = try await request(["delegate", answer])
            XCTAssertEqual(again.status, 0, again.stderrText)
            let same = try await registrar.client.get("v1/vpxis/seg/chains/erin", ifNoneMatch: complete.etag)
            XCTAssertEqual(same.status, 304)

            // Refused: carol is not the owner. The registrar's error, exit 1.
            let notOwner = try await request(["remove-user", "--vpxi", "seg", "--user", "erin"], key: carol)
            XCTAssertEqual(notOwner.status, 1)
            XCTAssertEqual(notOwner.stderrText, "error[R008]: only the owner of vpxi `seg` may remove a user from it\n")
            let removed = try await request(["remove-user", "--vpxi", "seg", "--user", "erin"])
            XCTAssertEqual(removed.status, 0, removed.stderrText)
            XCTAssertEqual(removed.stdoutText, "(removed (vpxi seg) (user erin) (epoch \"0\"))\n")
            let withdrawn = try await registrar.client.get("v1/vpxis/seg/chains/erin")
            XCTAssertEqual(withdrawn.status, 404)
            let released = try await request(["release", "--vpxi", "seg"])
            XCTAssertEqual(released.stdoutText, "(released (vpxi seg) (slots \"2\"))\n")

            // Bad input (exit 2) and an unreachable registrar (exit 1).
            let badURL = try await RegistrarFixture.blocking {
                try ExternalTool.run(tool, ["request", "release", "--vpxi", "seg", "--url", "ftp://x", "--key", alice])
            }
            XCTAssertEqual(badURL.status, 2)
            XCTAssertTrue(badURL.stderrText.contains("--url `ftp://x` is not an http:// or https:// URL"), badURL.stderrText)
            let noPolicy = try await request(["create-vpxi", directory.appendingPathComponent("missing.vp").path])
            XCTAssertEqual(noPolicy.status, 2, noPolicy.stderrText)
            let publicKey = try await request(["release", "--vpxi", "seg"], key: FlowTests.pub("alice"))
            XCTAssertEqual(publicKey.status, 2, publicKey.stderrText)
            XCTAssertTrue(publicKey.stderrText.contains("holds a public key; your (the requester's) private key is needed"), publicKey.stderrText)
            let unreachable = try await RegistrarFixture.blocking {
                try ExternalTool.run(tool, ["request", "release", "--vpxi", "seg", "--url", "http://127.0.0.1:1", "--key", alice])
            }
            XCTAssertEqual(unreachable.status, 1)
            XCTAssertTrue(unreachable.stderrText.contains("cannot reach the registrar at http://127.0.0.1:1"), unreachable.stderrText)
        }
    }

    func testDelegateReadsOnlyAnAddUserAnswer() throws {
        let alice = try RegistrarFixture.corpusKey("alice")
        for (document, message) in [
            ("(released (vpxi seg) (slots \"2\"))", "this is not an add-user answer"),
            ("(vpxi (name seg) (chains))", "the answer has no `(to-sign ...)`"),
            ("(vpxi (name seg) (to-sign))", "`(to-sign)` is empty"),
            ("(vpxi (name seg) (to-sign (cert-request (machine \"node[1]\"))))", "holds something other than"),
        ] {
            XCTAssertThrowsError(try ClientRequest.delegate(answer: try SExpr.parse(Array(document.utf8)), key: alice), document) { error in
                XCTAssertEqual((error as? RegistrarError)?.code, .malformed)
                XCTAssertTrue((error as? RegistrarError)?.message.contains(message) ?? false, "\(error)")
            }
        }
    }

    func testAnswersAreReadAsDocumentsOrErrors() throws {
        let ok = RegistrarClient.Answer(status: 200, body: Array("(released (vpxi seg) (slots \"1\"))".utf8), etag: nil)
        XCTAssertEqual(try ClientRequest.result(of: ok).head, "released")
        let refused = RegistrarClient.Answer(status: 403, body: Array("(error (code R008) (message \"no\") (help \"ask\"))".utf8), etag: nil)
        XCTAssertThrowsError(try ClientRequest.result(of: refused)) { error in
            XCTAssertEqual(error as? RegistrarError, RegistrarError(.forbidden, "no", help: "ask"))
        }
        let html = RegistrarClient.Answer(status: 502, body: Array("<html>bad gateway</html>".utf8), etag: nil)
        XCTAssertThrowsError(try ClientRequest.result(of: html)) { error in
            XCTAssertTrue((error as? RegistrarError)?.message.contains("HTTP 502") ?? false, "\(error)")
        }
    }
}
