import Agent
import Backends
import Foundation
import Logging
import Registrar
import RSA
import SExpr
import SPKI
import TestSupport
import XCTest

/// Flow 3 (paper 4.2.3) to its end, over HTTP on loopback: alice adds erin, signs the
/// `<alice, erin, A, no-propagate, V>` the registrar returns with the real `spki sign`,
/// uploads it (`POST /v1/vpxis/seg/delegations`); erin's chains then reduce with the real
/// `spki reduce` to erin's rights, without propagate, and the host's bundle (verified by
/// the real `vpxi-agent check`) lists erin's login until the shortest cert of the chain
/// ends. On SQLite and on PostgreSQL; and across a renewal, with no new signature.
final class DelegationFlowTests: RegistrarScratchTestCase {

    func testFlow3OnSQLite() async throws {
        try await withEnrolledLyon(slots: 2) { lyon, database, registrar, _, hostKey in
            try await self.flow3(registrar, database: database, lyon: lyon, hostKey: hostKey)
        }
    }

    func testFlow3OnPostgreSQL() async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        let lyon = try RegistrarFixture.corpusKey("lyon")
        let database = try await PostgresStore.open(server.url)
        let registrar = try await RunningRegistrar.start(database: database, name: "lyon", key: lyon)
        try await withCleanup([registrar]) {
            let keys = try await FlowTests.enrollCap01(registrar, slots: 2, registrarKey: lyon)
            try await self.flow3(registrar, database: database, lyon: lyon, hostKey: keys[90])
        }
    }

    /// alice creates `seg` (two machines) and adds erin with ssh on node[1]; returns the
    /// `(cert-request (machine M) CERT)` the registrar asks her to sign.
    static func addErin(_ registrar: RunningRegistrar, rights: String = "ssh") async throws -> (machine: String, cert: SExpr) {
        let created = try await FlowTests.create(registrar, "seg", machines: 2)
        XCTAssertEqual(created.status, 201, created.text)
        let added = try await registrar.client.post("v1/vpxis/seg/users", op: "add-user",
                                                    arguments: [["vpxi", "seg"], ["user", "erin"], ["rights", .string(rights)], ["on", "node[1]"]],
                                                    key: try RegistrarFixture.corpusKey("alice"), time: RegistrarFixture.now)
        XCTAssertEqual(added.status, 200, added.text)
        let requests = Array(try XCTUnwrap(try XCTUnwrap(added.sexp).first("to-sign")).tail)
        XCTAssertEqual(requests.count, 1, added.text)
        let request = try XCTUnwrap(requests.first)
        return (try XCTUnwrap(request.first("machine")?.tail.first?.text), try XCTUnwrap(request.first("cert")))
    }

    /// `spki sign --key KEY cert.sexp`: the signature, parsed.
    func spkiSign(_ cert: SExpr, key: RSAKeyFile, name: String) throws -> SExpr {
        let spki = PackagePaths.executable("spki")
        let keyPath = try keyFile(key, "\(name)-\(UUID().uuidString.prefix(6)).key", private: true)
        let certPath = directory.appendingPathComponent("to-sign-\(UUID().uuidString.prefix(6)).sexp").path
        try Data(cert.advanced().utf8).write(to: URL(fileURLWithPath: certPath))
        let signed = try ExternalTool.run(spki, ["sign", "--key", keyPath, certPath])
        XCTAssertEqual(signed.status, 0, signed.stderrText)
        return try SExpr.parse(signed.stdout)
    }

    /// The earliest not-after of the certs of a machine's chain in a chains document.
    static func shortestNotAfter(_ document: SExpr, machine: String) throws -> Int64 {
        let entry = try XCTUnwrap(document.tail.first { $0.head == "machine-chain" && $0.first("machine")?.tail.first?.text == machine })
        var warnings: [SPKIWarning] = []
        let ends = try XCTUnwrap(entry.first("sequence")).tail.filter { $0.head == "cert" }.compactMap {
            try Cert(parsing: $0, warnings: &warnings).validity.notAfter?.secondsSinceEpoch
        }
        return try XCTUnwrap(ends.min())
    }

    /// `vpxi-agent check` of the host's bundle of seg as pulled: its output.
    func agentCheck(_ bundle: RegistrarClient.Answer, hostKey: RSAKeyFile, lyon: RSAKeyFile) throws -> String {
        let nodes = directory.appendingPathComponent("nodes-\(UUID().uuidString.prefix(6))").path
        try BundleWriter.write(try BundleArchive.decode(bundle.body), to: nodes)
        let hostKeyPath = try keyFile(hostKey, "cap-01-\(UUID().uuidString.prefix(6)).key", private: true)
        let registrarPath = try keyFile(lyon, "lyon-\(UUID().uuidString.prefix(6)).pub", private: false)
        let checked = try ExternalTool.run(PackagePaths.executable("vpxi-agent"),
                                           ["check", "--bundle", "\(nodes)/cap-01", "--key", hostKeyPath, "--registrar-key", registrarPath])
        XCTAssertEqual(checked.status, 0, checked.stdoutText + checked.stderrText)
        return checked.stdoutText
    }

    func flow3(_ registrar: RunningRegistrar, database: any RegistrarDatabase, lyon: RSAKeyFile, hostKey: RSAKeyFile) async throws {
        let alice = try RegistrarFixture.corpusKey("alice")
        let (machine, certSExpr) = try await Self.addErin(registrar)
        XCTAssertEqual(machine, "node[1]")
        var warnings: [SPKIWarning] = []
        let toSign = try Cert(parsing: certSExpr, warnings: &warnings)
        XCTAssertFalse(toSign.propagate)
        // One signature for the grant's whole window (the vpxi's: a day), not one epoch (2 h).
        let span = (toSign.validity.notAfter?.secondsSinceEpoch ?? 0) - (toSign.validity.notBefore?.secondsSinceEpoch ?? 0)
        XCTAssertEqual(span, 86400 + 600)

        let chainsBefore = try await registrar.client.get("v1/vpxis/seg/chains/erin")
        XCTAssertEqual(chainsBefore.status, 200, chainsBefore.text)
        XCTAssertTrue(chainsBefore.text.contains("pending"), chainsBefore.text)
        let bundleBefore = try await registrar.client.get("v1/hosts/cap-01/bundles/seg")
        XCTAssertEqual(bundleBefore.status, 200)
        let indexBefore = try await registrar.client.get("v1/hosts/cap-01/bundles")
        XCTAssertEqual(indexBefore.status, 200)
        let checkedBefore = try agentCheck(bundleBefore, hostKey: hostKey, lyon: lyon)
        XCTAssertFalse(checkedBefore.contains("/erin "), "no login for erin before alice signs:\n\(checkedBefore)")

        // alice signs with the real `spki sign` and uploads.
        let signature = try spkiSign(certSExpr, key: alice, name: "alice")
        let uploaded = try await registrar.client.post("v1/vpxis/seg/delegations", op: "delegate",
                                                       arguments: [["vpxi", "seg"], ["delegation", ["machine", .string(machine)], ["sequence", certSExpr, signature]]],
                                                       key: alice, time: RegistrarFixture.now)
        XCTAssertEqual(uploaded.status, 200, uploaded.text)
        let answer = try XCTUnwrap(uploaded.sexp)
        XCTAssertEqual(answer.head, "delegated")
        XCTAssertEqual(answer.first("accepted")?.first("delegation")?.first("user")?.tail.first?.text, "erin")
        let answered = try XCTUnwrap(answer.first("chains"))
        XCTAssertEqual(answered.first("user")?.tail.first?.text, "erin")
        XCTAssertFalse(answered.advanced().contains("pending"), answered.advanced())

        // erin pulls: the old ETag no longer matches; the new one does.
        let chains = try await registrar.client.get("v1/vpxis/seg/chains/erin", ifNoneMatch: chainsBefore.etag)
        XCTAssertEqual(chains.status, 200, chains.text)
        XCTAssertNotEqual(chains.etag, chainsBefore.etag)
        XCTAssertFalse(chains.text.contains("pending"), chains.text)
        let unchanged = try await registrar.client.get("v1/vpxis/seg/chains/erin", ifNoneMatch: chains.etag)
        XCTAssertEqual(unchanged.status, 304)
        let document = try XCTUnwrap(chains.sexp)
        XCTAssertEqual(try RegistrarFixture.reduce(directory, document, subject: FlowTests.pub("erin")), ["node[1]"])
        try assertReducedToErinsRights(document, machine: machine)

        // The host's bundle changed; the agent enforces erin's login until the shortest
        // cert of her chain ends (the registrar's epoch certs, not alice's day-long one).
        let bundle = try await registrar.client.get("v1/hosts/cap-01/bundles/seg", ifNoneMatch: bundleBefore.etag)
        XCTAssertEqual(bundle.status, 200, "a delegation changes the host's bundle")
        XCTAssertNotEqual(bundle.etag, bundleBefore.etag)
        let index = try await registrar.client.get("v1/hosts/cap-01/bundles", ifNoneMatch: indexBefore.etag)
        XCTAssertEqual(index.status, 200, "the host's bundle index changes with its bundle")
        XCTAssertTrue(index.text.contains(try XCTUnwrap(bundle.etag).replacingOccurrences(of: "\"", with: "\\\"")), index.text)
        let checked = try agentCheck(bundle, hostKey: hostKey, lyon: lyon)
        let expiry = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(try Self.shortestNotAfter(document, machine: machine))))
        let erinLogins = checked.split(separator: "\n").filter { $0.hasPrefix("login ") && $0.contains("/erin ") }
        XCTAssertEqual(erinLogins.count, 1, checked)
        XCTAssertTrue(erinLogins.first?.hasSuffix("until \(expiry)") ?? false, "expected expiry \(expiry):\n\(checked)")
        XCTAssertLessThan(try Self.shortestNotAfter(document, machine: machine), toSign.validity.notAfter?.secondsSinceEpoch ?? 0)
        try await assertAgentWritesErinsKey(registrar, lyon: lyon, hostKey: hostKey, expiry: try Self.shortestNotAfter(document, machine: machine))

        // On record: the delegation, and the cert as issued by alice in the epoch's certs.
        let recorded = try await database.read("SELECT issuer, subject, machine FROM delegations WHERE vpxi = 'seg'", [])
        XCTAssertEqual(recorded.count, 1)
        XCTAssertEqual(recorded.first?["subject"].text, "erin")
        XCTAssertEqual(recorded.first?["issuer"].text, "alice")
        let certs = try await database.read("SELECT COUNT(*) AS n FROM certs WHERE vpxi = 'seg' AND flow = 'user-user' AND signed = 1 AND issued_by = 'alice'", [])
        XCTAssertEqual(certs.first?["n"].int, 1)
    }

    /// cap-01's agent pulls its bundles from the registrar and applies them: erin's
    /// authorized_keys line, expiring at `expiry` (OpenSSH's `expiry-time` rounded up to
    /// the minute).
    func assertAgentWritesErinsKey(_ registrar: RunningRegistrar, lyon: RSAKeyFile, hostKey: RSAKeyFile, expiry: Int64) async throws {
        let state = directory.appendingPathComponent("agent").path
        let keys = directory.appendingPathComponent("authorized-keys").path
        let pull = RegistrarPull(base: URL(string: "http://127.0.0.1:\(registrar.port)")!, host: "cap-01", vpxi: nil, stateDirectory: state)
        let pulled = try await RegistrarFixture.blocking { try pull.pullAll() }
        XCTAssertEqual(pulled.updated, ["seg"])
        let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let set = BundleSet(directory: pull.setDirectory, host: "cap-01", registrar: lyon, logger: quiet)
        let runtime = AgentRuntime(options: .init(source: .bundleSet(set), stateDirectory: state, authorizedKeysDirectory: keys, tunName: nil,
                                                  listen: try Locator(parsing: "127.0.0.1:10500")),
                                   hostKey: try hostKey.requirePrivateKey(), logger: quiet)
        try await RegistrarFixture.blocking { runtime.reload() }
        let erin = runtime.activeLogins.filter { $0.account == "erin" }
        XCTAssertEqual(erin.count, 1, "\(runtime.activeLogins.map(\.account))")
        XCTAssertEqual(erin.first?.expiry, Date(timeIntervalSince1970: TimeInterval(expiry)))
        let minute = Date(timeIntervalSince1970: (Double(expiry) / 60).rounded(.up) * 60)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmm"
        let files = (FileManager.default.enumerator(atPath: keys)?.allObjects as? [String] ?? []).filter { $0.hasSuffix("erin") }
        XCTAssertEqual(files.count, 1, "\(files)")
        let text = try String(contentsOfFile: "\(keys)/\(try XCTUnwrap(files.first))", encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("expiry-time=\"\(formatter.string(from: minute))Z\" ssh-rsa "), text)
        XCTAssertTrue(text.contains("vpxi-agent:erin"), text)
    }

    /// `spki reduce` for erin on the machine: her entry carries ssh and not alice's
    /// console, and no propagate.
    func assertReducedToErinsRights(_ document: SExpr, machine: String, at time: Int64 = RegistrarFixture.now) throws {
        let entry = try XCTUnwrap(document.tail.first { $0.head == "machine-chain" && $0.first("machine")?.tail.first?.text == machine })
        let aclPath = directory.appendingPathComponent("erin-acl.sexp")
        let chainPath = directory.appendingPathComponent("erin-chain.sexp")
        try Data(try XCTUnwrap(entry.first("acl")).advanced().utf8).write(to: aclPath)
        try Data(try XCTUnwrap(entry.first("sequence")).advanced().utf8).write(to: chainPath)
        let reduced = try ExternalTool.run(PackagePaths.executable("spki"), ["reduce", "--acl", aclPath.path, "--subject", "@" + FlowTests.pub("erin"),
                                                                            "--at", SPKIDate(secondsSinceEpoch: time).rfc3339, chainPath.path])
        XCTAssertEqual(reduced.status, 0, reduced.stderrText)
        let acl = try SExpr.parse(reduced.stdout)
        let entries = acl.tail.filter { $0.head == "entry" }
        XCTAssertEqual(entries.count, 1, reduced.stdoutText)
        let text = try XCTUnwrap(entries.first).advanced(width: 0)
        XCTAssertTrue(text.contains("ssh"), text)
        XCTAssertFalse(text.contains("console"), text)
        XCTAssertNil(entries.first?.first("propagate"), text)
    }

    /// The delegation covers the grant's window: the next epoch's chains and bundle carry
    /// it with no new signature (the library's signer this time, as `spki cert` signs).
    func testRenewalKeepsTheDelegation() async throws {
        try await withClockedLyon(slots: 2) { service, database, clock, start, keys in
            let alice = try RegistrarFixture.corpusKey("alice")
            func send(_ op: String, _ arguments: [SExpr]) async throws -> SExpr {
                try await service.handle(Array(try RequestSigner.sign(op: op, arguments: arguments, key: alice, time: clock.now).advanced(width: 0).utf8))
            }
            _ = try await send("create-vpxi", [["policy", .string(RegistrarFixture.fragment("seg", machines: 2, now: start))]])
            let added = try await send("add-user", [["vpxi", "seg"], ["user", "erin"], ["rights", "ssh"], ["on", "node[1]"]])
            let request = try XCTUnwrap(added.first("to-sign")?.tail.first)
            var warnings: [SPKIWarning] = []
            let cert = try Cert(parsing: try XCTUnwrap(request.first("cert")), warnings: &warnings)
            let delegated = try await send("delegate", [["vpxi", "seg"], ["delegation", ["machine", "node[1]"], ["sequence", cert.sexp, try cert.sign(with: alice).sexp]]])
            XCTAssertEqual(delegated.head, "delegated")
            let epoch0 = try await service.chains(vpxi: "seg", user: "erin", ifNoneMatch: nil)

            // Epoch 1 starts an hour after the window (start - 600); issued 2 min before.
            let epoch1Start = start - 600 + 3600
            clock.set(epoch1Start - 120)
            let renewed = try await service.renewDue()
            XCTAssertEqual(renewed, 1)
            let epoch1 = try await service.chains(vpxi: "seg", user: "erin", ifNoneMatch: epoch0.etag)
            let document = try SExpr.parse(try XCTUnwrap(epoch1.body, "the renewed chain has a new ETag"))
            XCTAssertEqual(document.first("epoch")?.tail.first?.text, "1")
            XCTAssertFalse(document.advanced().contains("pending"), document.advanced())
            // Past the end of epoch 0's certs, epoch 1's chain still gives erin node[1].
            let later = epoch1Start + 2 * 3600 - 60
            XCTAssertEqual(try RegistrarFixture.reduce(directory, document, subject: FlowTests.pub("erin"), at: later), ["node[1]"])
            try assertReducedToErinsRights(document, machine: "node[1]", at: later)
            let bundle = try await service.bundle(host: "cap-01", vpxi: "seg", ifNoneMatch: nil)
            let archive = try BundleArchive.decode(try XCTUnwrap(bundle.body))
            let authorized = String(decoding: try XCTUnwrap(archive.file("authorized.sexp")).bytes, as: UTF8.self)
            XCTAssertTrue(authorized.contains("erin"), "erin's login is in the renewed bundle:\n\(authorized.prefix(2000))")
            let kept = try await database.read("SELECT COUNT(*) AS n FROM delegations", [])
            XCTAssertEqual(kept.first?["n"].int, 1)
        }
    }
}
