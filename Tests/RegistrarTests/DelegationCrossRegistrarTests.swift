import Backends
import Foundation
import Registrar
import RSA
import SExpr
import SPKI
import TestSupport
import XCTest

/// Flow 3 on a machine of another registrar's host (paper 4.2.2 with 4.2.3), on one real
/// PostgreSQL: lyon builds `span` with node[2] on cap-02, enrolled with sophia. alice adds
/// erin on node[2] and gives lyon her signed delegation; sophia, from the shared state,
/// rebuilds cap-02's bundle with erin's login (verified by `vpxi-agent check` against
/// sophia's key), and erin's chain, through sophia's cert and alice's, reduces.
final class DelegationCrossRegistrarTests: RegistrarScratchTestCase {

    func testDelegationReachesTheOtherRegistrarsHost() async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        let lyon = try RegistrarFixture.corpusKey("lyon")
        let sophia = try RegistrarFixture.corpusKey("sophia")
        let alice = try RegistrarFixture.corpusKey("alice")
        let r1 = try await RunningRegistrar.start(database: try await PostgresStore.open(server.url), name: "lyon", key: lyon)
        let r2 = try await RunningRegistrar.start(database: try await PostgresStore.open(server.url), name: "sophia", key: sophia)
        try await withCleanup([r1, r2]) {
            let keys = try await FlowTests.enrollCap01(r1, slots: 1, registrarKey: lyon)
            let e2 = try await FlowTests.enroll(r2, host: "cap-02", hostKey: keys[91], slots: [keys[1]], cpus: 1, registrarKey: sophia)
            XCTAssertEqual(e2.status, 200, e2.text)
            let now = RegistrarFixture.now
            let created = try await r1.client.post("v1/vpxis", op: "create-vpxi",
                                                   arguments: [["policy", .string(RegistrarFixture.fragment("span", machines: 2, registrar: "lyon", now: now))]],
                                                   key: alice, time: now)
            XCTAssertEqual(created.status, 201, created.text)
            let placement = try XCTUnwrap(created.sexp?.first("placement"))
            let node2Host = placement.tail.first { $0.tail.first?.text == "node[2]" }?.first("host")?.tail.first?.text
            XCTAssertEqual(node2Host, "cap-02", created.text)

            // Once sophia has signed `<sophia, lyon>`, adding a user keeps it signed.
            let aliceBefore = try await eventually { try await r1.client.get("v1/vpxis/span/chains/alice") }
            XCTAssertFalse(aliceBefore.text.contains("pending"), aliceBefore.text)
            let added = try await r1.client.post("v1/vpxis/span/users", op: "add-user",
                                                 arguments: [["vpxi", "span"], ["user", "erin"], ["rights", "ssh"], ["on", "node[2]"]], key: alice, time: now)
            XCTAssertEqual(added.status, 200, added.text)
            let request = try XCTUnwrap(added.sexp?.first("to-sign")?.tail.first)
            XCTAssertEqual(request.first("machine")?.tail.first?.text, "node[2]")
            XCTAssertFalse(try XCTUnwrap(added.sexp?.first("chains")).advanced().contains("pending"), added.text)
            var warnings: [SPKIWarning] = []
            let cert = try Cert(parsing: try XCTUnwrap(request.first("cert")), warnings: &warnings)
            // cap-02's bundle before: sophia builds it in its background pass, with no login for erin.
            func erinIn(_ answer: RegistrarClient.Answer) throws -> Bool {
                guard answer.status == 200, let file = try BundleArchive.decode(answer.body).file("authorized.sexp") else { return false }
                return String(decoding: file.bytes, as: UTF8.self).contains("erin")
            }
            let before = try await eventually { try await r2.client.get("v1/hosts/cap-02/bundles/span") }
            XCTAssertEqual(before.status, 200, before.text)
            XCTAssertFalse(try erinIn(before))

            let uploaded = try await r1.client.post("v1/vpxis/span/delegations", op: "delegate",
                                                    arguments: [["vpxi", "span"], ["delegation", ["machine", "node[2]"], ["sequence", cert.sexp, try cert.sign(with: alice).sexp]]],
                                                    key: alice, time: RegistrarFixture.now)
            XCTAssertEqual(uploaded.status, 200, uploaded.text)

            // sophia rebuilds cap-02's bundle: erin's login is in it.
            var after = try await r2.client.get("v1/hosts/cap-02/bundles/span")
            for _ in 0..<150 where !(try erinIn(after)) {
                try await Task.sleep(for: .milliseconds(200))
                after = try await r2.client.get("v1/hosts/cap-02/bundles/span")
            }
            XCTAssertTrue(try erinIn(after), "sophia rebuilt cap-02's bundle with the delegation")
            XCTAssertNotEqual(after.etag, before.etag)
            let nodes = directory.appendingPathComponent("nodes").path
            try BundleWriter.write(try BundleArchive.decode(after.body), to: nodes)
            let checked = try ExternalTool.run(PackagePaths.executable("vpxi-agent"),
                                               ["check", "--bundle", "\(nodes)/cap-02", "--key", try keyFile(keys[91], "cap-02.key", private: true),
                                                "--registrar-key", try keyFile(sophia, "sophia.pub", private: false)])
            XCTAssertEqual(checked.status, 0, checked.stdoutText + checked.stderrText)
            XCTAssertTrue(checked.stdoutText.hasPrefix("ok: bundle of host cap-02 signed by registrar sophia"), checked.stdoutText)
            XCTAssertEqual(checked.stdoutText.split(separator: "\n").filter { $0.hasPrefix("login ") && $0.contains("/erin ") }.count, 1, checked.stdoutText)

            // erin's chain: node[2] -> sophia -> lyon -> alice -> erin.
            let chains = try await eventually { try await r1.client.get("v1/vpxis/span/chains/erin") }
            XCTAssertFalse(chains.text.contains("pending"), chains.text)
            XCTAssertEqual(try RegistrarFixture.reduce(directory, try XCTUnwrap(chains.sexp), subject: FlowTests.pub("erin")), ["node[2]"])
        }
    }

}
