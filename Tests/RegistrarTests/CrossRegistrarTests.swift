import Agent
import Backends
import Foundation
import Logging
import Registrar
import RSA
import SExpr
import TestSupport
import XCTest

/// A vpxi across two registrars on one real PostgreSQL (paper 4.2.2), over HTTP: cap-01
/// enrolled with lyon, cap-02 with sophia, lyon builds a vpxi with a machine on each and
/// a link between them. sophia signs `<sophia, lyon, A, propagate>` and builds and signs
/// cap-02's bundle from the shared state (cap-02's agent trusts sophia, not lyon); both
/// bundles verify with `vpxi-agent check` against their own registrar's key, the two ends
/// of the link hold the same SPIs and keys, and alice's chain to the VM on cap-02 reduces
/// with `spki reduce`. After a renewal, sophia rebuilds cap-02's bundle with the new epoch,
/// and the link's keys still match; a release withdraws it.
final class CrossRegistrarTests: RegistrarScratchTestCase {
    var server: PostgresServer!

    override func setUpWithError() throws {
        try super.setUpWithError()
        server = try PostgresServer.start()
    }

    override func tearDownWithError() throws {
        server?.stop()
        try super.tearDownWithError()
    }

    func testHostOfTheOtherRegistrarGetsItsBundle() async throws {
        let lyon = try RegistrarFixture.corpusKey("lyon")
        let sophia = try RegistrarFixture.corpusKey("sophia")
        let clock = TestClock(RegistrarFixture.now)
        let r1 = try await RunningRegistrar.start(database: try await PostgresStore.open(server.url), name: "lyon", key: lyon, clock: { clock.now })
        let r2 = try await RunningRegistrar.start(database: try await PostgresStore.open(server.url), name: "sophia", key: sophia, clock: { clock.now })
        try await withCleanup([r1, r2]) {
            try await FlowTests.registerUsers(r1.service)
            let keys = try RegistrarFixture.slotKeys()
            let (h1Key, h2Key) = (keys[90], keys[91])
            // One slot and one cpu on each host: the two machines land one on each.
            let e1 = try await FlowTests.enroll(r1, host: "cap-01", hostKey: h1Key, slots: [keys[0]], cpus: 1, registrarKey: lyon)
            XCTAssertEqual(e1.status, 200, e1.text)
            let e2 = try await FlowTests.enroll(r2, host: "cap-02", hostKey: h2Key, slots: [keys[1]], cpus: 1, registrarKey: sophia)
            XCTAssertEqual(e2.status, 200, e2.text)
            let now = RegistrarFixture.now
            let fragment = RegistrarFixture.fragment("span", machines: 2, registrar: "lyon", now: now,
                                                     extra: "  link node[1] <-> node[2] { protect aes-128-gcm }\n")
            let created = try await r1.client.post("v1/vpxis", op: "create-vpxi", arguments: [["policy", .string(fragment)]],
                                                   key: try RegistrarFixture.corpusKey("alice"), time: now)
            XCTAssertEqual(created.status, 201, created.text)
            let placement = try XCTUnwrap(created.sexp?.first("placement"))
            XCTAssertEqual(Set(placement.tail.compactMap { $0.first("host")?.tail.first?.text }), ["cap-01", "cap-02"], created.text)

            // lyon signs cap-01's bundle at once; sophia builds cap-02's in its background pass.
            let b1 = try await r1.client.get("v1/hosts/cap-01/bundles/span")
            XCTAssertEqual(b1.status, 200, b1.text)
            let b2 = try await eventually { try await r2.client.get("v1/hosts/cap-02/bundles/span") }
            XCTAssertEqual(b2.status, 200, b2.text)
            XCTAssertEqual(try BundleArchive.decode(b1.body).host, "cap-01")
            let bundle2 = try BundleArchive.decode(b2.body)
            XCTAssertEqual(bundle2.host, "cap-02")
            let manifest = try BundleManifest(parsing: try SExpr.parse(try XCTUnwrap(bundle2.file(BundleManifest.fileName)).bytes))
            XCTAssertEqual(manifest.registrar, "sophia", "cap-02's bundle is signed by its own registrar")
            // Either registrar serves either bundle: they are in the shared database.
            let viaLyon = try await r1.client.get("v1/hosts/cap-02/bundles/span")
            XCTAssertEqual(viaLyon.etag, b2.etag)
            // The index of cap-02 lists the vpxi.
            let index = try await r2.client.get("v1/hosts/cap-02/bundles")
            XCTAssertTrue(index.text.contains("span"), index.text)

            let nodes = directory.appendingPathComponent("nodes").path
            try BundleWriter.write(try BundleArchive.decode(b1.body), to: nodes)
            try BundleWriter.write(bundle2, to: nodes)
            let h1Path = try keyFile(h1Key, "cap-01.key", private: true), h2Path = try keyFile(h2Key, "cap-02.key", private: true)
            let lyonPub = try keyFile(lyon, "lyon.pub", private: false), sophiaPub = try keyFile(sophia, "sophia.pub", private: false)
            let agent = PackagePaths.executable("vpxi-agent")
            func check(_ host: String, key: String, registrar: String) throws -> ExternalTool.Result {
                try ExternalTool.run(agent, ["check", "--bundle", "\(nodes)/\(host)", "--key", key, "--registrar-key", registrar])
            }
            for (host, key, registrar) in [("cap-01", h1Path, lyonPub), ("cap-02", h2Path, sophiaPub)] {
                let ok = try check(host, key: key, registrar: registrar)
                XCTAssertEqual(ok.status, 0, "\(host): " + ok.stdoutText + ok.stderrText)
                XCTAssertTrue(ok.stdoutText.contains("1 login"), "\(host): alice may log into its VM: \(ok.stdoutText)")
                XCTAssertTrue(ok.stdoutText.hasPrefix("ok: bundle of host \(host) signed by registrar \(host == "cap-01" ? "lyon" : "sophia")"), ok.stdoutText)
            }
            // cap-02's agent, following every vpxi of its host from sophia, applies it: alice's login.
            let pull2 = RegistrarPull(base: URL(string: "http://127.0.0.1:\(r2.port)")!, host: "cap-02", vpxi: nil,
                                      stateDirectory: directory.appendingPathComponent("agent-2").path)
            let pulled2 = try await RegistrarFixture.blocking { try pull2.pullAll() }
            XCTAssertEqual(pulled2.updated, ["span"])
            let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            let set2 = BundleSet(directory: pull2.setDirectory, host: "cap-02", registrar: sophia, logger: quiet)
            let runtime2 = AgentRuntime(options: .init(source: .bundleSet(set2), stateDirectory: directory.appendingPathComponent("agent-2").path,
                                                       authorizedKeysDirectory: directory.appendingPathComponent("keys-2").path, tunName: nil,
                                                       listen: try Locator(parsing: "127.0.0.1:10500")),
                                        hostKey: try h2Key.requirePrivateKey(), logger: quiet)
            try await RegistrarFixture.blocking { runtime2.reload() }
            XCTAssertEqual(set2.applied, ["span"])
            XCTAssertEqual(runtime2.activeLogins.map(\.account), ["alice"])
            XCTAssertEqual(runtime2.table.entries().count, 2)

            let wrongRegistrar = try check("cap-02", key: h2Path, registrar: lyonPub)
            XCTAssertEqual(wrongRegistrar.status, 1, "cap-02 trusts sophia only: " + wrongRegistrar.stdoutText + wrongRegistrar.stderrText)

            // The link's two ends: what cap-01 sends with, cap-02 receives with, and back.
            func checkLink() throws {
                let a1 = try AgentBundle.load(directory: "\(nodes)/cap-01", hostKey: try h1Key.requirePrivateKey(), registrar: lyon).associations
                let a2 = try AgentBundle.load(directory: "\(nodes)/cap-02", hostKey: try h2Key.requirePrivateKey(), registrar: sophia).associations
                XCTAssertFalse(a1.isEmpty)
                XCTAssertEqual(a1.count, a2.count)
                for sa in a1 {
                    let peer = try XCTUnwrap(a2.first { $0.spiIn == sa.spiOut }, "no SA of cap-02 receives SPI \(sa.spiOut)")
                    XCTAssertEqual(peer.spiOut, sa.spiIn)
                    XCTAssertEqual(peer.keyIn, sa.keyOut)
                    XCTAssertEqual(peer.keyOut, sa.keyIn)
                    XCTAssertEqual(peer.localHIT, sa.peerHIT)
                }
            }
            try checkLink()

            // alice's chains (lyon's), through sophia's cert, reduce for both machines.
            let chains = try await eventually { try await r1.client.get("v1/vpxis/span/chains/alice") }
            XCTAssertFalse(chains.text.contains("pending"), chains.text)
            XCTAssertEqual(try RegistrarFixture.reduce(directory, try XCTUnwrap(chains.sexp), subject: FlowTests.pub("alice")).sorted(),
                           ["node[1]", "node[2]"])

            // Unchanged state: sophia does not rebuild, and the pull is a 304.
            let rebuilt = try await r2.service.buildCrossingBundles()
            XCTAssertEqual(rebuilt, 0)
            let again = try await r2.client.get("v1/hosts/cap-02/bundles/span", ifNoneMatch: b2.etag)
            XCTAssertEqual(again.status, 304)

            // Two minutes before epoch 1, lyon renews (its background pass); sophia signs its
            // cert of the new epoch and rebuilds cap-02's bundle, whose keys still match cap-01's.
            clock.set(now - 600 + 3600 - 120)
            var index2 = try await r2.client.get("v1/hosts/cap-02/bundles")
            for _ in 0..<150 where !index2.text.contains("(epoch \"1\")") {
                try await Task.sleep(for: .milliseconds(200))
                index2 = try await r2.client.get("v1/hosts/cap-02/bundles")
            }
            XCTAssertEqual(index2.sexp?.first("bundle")?.first("epoch")?.tail.first?.text, "1", index2.text)
            let renewed1 = try await r1.client.get("v1/hosts/cap-01/bundles/span")
            let renewed2 = try await r2.client.get("v1/hosts/cap-02/bundles/span")
            XCTAssertNotEqual(renewed2.etag, b2.etag)
            try BundleWriter.write(try BundleArchive.decode(renewed1.body), to: nodes)
            try BundleWriter.write(try BundleArchive.decode(renewed2.body), to: nodes)
            try checkLink()
            let renewedCheck = try check("cap-02", key: h2Path, registrar: sophiaPub)
            XCTAssertEqual(renewedCheck.status, 0, renewedCheck.stdoutText + renewedCheck.stderrText)

            // Released by lyon: cap-02's bundle is withdrawn too, and the shared secret forgotten.
            let released = try await r1.client.post("v1/vpxis/span/release", op: "release-vpxi", arguments: [["vpxi", "span"]],
                                                    key: try RegistrarFixture.corpusKey("alice"), time: clock.now)
            XCTAssertEqual(released.status, 200, released.text)
            try await Task.sleep(for: .milliseconds(600))  // sophia's background passes
            let gone = try await r2.client.get("v1/hosts/cap-02/bundles/span")
            XCTAssertEqual(gone.status, 404, gone.text)
            let secrets = try await r1.service.database.read("SELECT COUNT(*) AS n FROM vpxi_secrets", [])
            XCTAssertEqual(secrets.first?["n"].int, 0)
        }
    }
}
