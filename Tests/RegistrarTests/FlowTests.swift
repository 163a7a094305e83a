import Foundation
import Registrar
import RSA
import SExpr
import SPKI
import TestSupport
import XCTest

/// The paper's three flows end to end over HTTP on loopback, on SQLite: enroll, request,
/// pull, and reduce the pulled chains with the real `spki reduce`.
final class FlowTests: RegistrarScratchTestCase {

    /// Registers the demo users: alice and erin cleared high, carol cleared low.
    static func registerUsers(_ service: RegistrarService) async throws {
        try await service.registerUser(name: "alice", key: try RegistrarFixture.corpusKey("alice"), communities: ["hospital"], clearance: "high", isOperator: false)
        try await service.registerUser(name: "erin", key: try RegistrarFixture.corpusKey("erin"), communities: ["hospital"], clearance: "high", isOperator: false)
        try await service.registerUser(name: "carol", key: try RegistrarFixture.corpusKey("carol"), communities: ["hospital"], clearance: "low", isOperator: false)
    }

    /// Enrolls `host` with the registrar, with a token the operator created.
    /// Registers the users and enrolls cap-01 (host key: slot key 90) with the first `slots`
    /// slot keys and as many cpus; the enrollment must succeed. Returns the slot keys.
    @discardableResult
    static func enrollCap01(_ registrar: RunningRegistrar, slots: Int, registrarKey: RSAKeyFile,
                            file: StaticString = #filePath, line: UInt = #line) async throws -> [RSAKeyFile] {
        try await registerUsers(registrar.service)
        let keys = try RegistrarFixture.slotKeys()
        let enrolled = try await enroll(registrar, host: "cap-01", hostKey: keys[90], slots: Array(keys[0..<slots]), cpus: slots, registrarKey: registrarKey)
        XCTAssertEqual(enrolled.status, 200, enrolled.text, file: file, line: line)
        return keys
    }

    static func enroll(_ registrar: RunningRegistrar, host: String, hostKey: RSAKeyFile, slots: [RSAKeyFile], cpus: Int,
                       registrarKey: RSAKeyFile) async throws -> RegistrarClient.Answer {
        let token = try await registrar.service.createToken(host: host)
        let now = RegistrarFixture.now
        return try await registrar.client.post("v1/enroll", op: "enroll",
                                               arguments: try RegistrarFixture.enrollment(host: host, cpus: cpus, slots: slots, registrar: registrarKey, now: now, token: token),
                                               key: hostKey, time: now)
    }

    /// alice asks `registrar` for vpxi `name` of `machines` one-cpu machines.
    static func create(_ registrar: RunningRegistrar, _ name: String, machines: Int) async throws -> RegistrarClient.Answer {
        let now = RegistrarFixture.now
        return try await registrar.client.post("v1/vpxis", op: "create-vpxi",
                                               arguments: [["policy", .string(RegistrarFixture.fragment(name, machines: machines, registrar: registrar.service.configuration.name, now: now))]],
                                               key: try RegistrarFixture.corpusKey("alice"), time: now)
    }

    static func pub(_ name: String) -> String { PackagePaths.corpus("policies/ok/keys/\(name).pub").path }

    /// Flow 1: resources enroll with lyon, lyon builds the vpxi and issues alice's certs;
    /// alice pulls her chains (then again with the ETag: 304) and `spki reduce` accepts
    /// each one.
    func testResourceToRegistrarToUser() async throws {
        let lyon = try RegistrarFixture.corpusKey("lyon")
        let database = try await SQLiteStore.open(path: directory.appendingPathComponent("r.sqlite").path)
        let registrar = try await RunningRegistrar.start(database: database, name: "lyon", key: lyon)
        try await withCleanup([registrar]) {
            try await FlowTests.enrollCap01(registrar, slots: 4, registrarKey: lyon)

            let alice = try RegistrarFixture.corpusKey("alice")
            let now = RegistrarFixture.now
            let created = try await Self.create(registrar, "seg", machines: 3)
            XCTAssertEqual(created.status, 201, created.text)
            let pulled = try await registrar.client.get("v1/vpxis/seg/chains/alice")
            XCTAssertEqual(pulled.status, 200, pulled.text)
            let etag = try XCTUnwrap(pulled.etag)
            let again = try await registrar.client.get("v1/vpxis/seg/chains/alice", ifNoneMatch: etag)
            XCTAssertEqual(again.status, 304)
            XCTAssertTrue(again.body.isEmpty)
            let document = try XCTUnwrap(pulled.sexp)
            XCTAssertEqual(try RegistrarFixture.reduce(directory, document, subject: Self.pub("alice")).sorted(), ["node[1]", "node[2]", "node[3]"])

            // The host's bundle, with its ETag.
            let index = try await registrar.client.get("v1/hosts/cap-01/bundles")
            XCTAssertTrue(index.text.contains("seg"), index.text)
            let bundle = try await registrar.client.get("v1/hosts/cap-01/bundles/seg")
            XCTAssertEqual(bundle.status, 200)
            let unchangedBundle = try await registrar.client.get("v1/hosts/cap-01/bundles/seg", ifNoneMatch: bundle.etag).status
            XCTAssertEqual(unchangedBundle, 304)

            // Every cert returned is on record, with who asked and when.
            let certs = try await database.read("SELECT COUNT(*) AS n FROM certs WHERE vpxi = 'seg' AND requester = 'alice'", [])
            XCTAssertGreaterThanOrEqual(certs.first?["n"].int ?? 0, 6)

            // Release: the slots return to the pool, the bundles are withdrawn.
            let released = try await registrar.client.post("v1/vpxis/seg/release", op: "release-vpxi", arguments: [["vpxi", "seg"]], key: alice, time: now)
            XCTAssertEqual(released.status, 200, released.text)
            let withdrawn = try await registrar.client.get("v1/hosts/cap-01/bundles/seg").status
            XCTAssertEqual(withdrawn, 404)
            let free = try await database.read("SELECT COUNT(*) AS n FROM slots WHERE vpxi IS NULL", [])
            XCTAssertEqual(free.first?["n"].int, 4)
            let renewed = try await registrar.service.renewDue()
            XCTAssertEqual(renewed, 0, "a released vpxi is not renewed")
        }
    }

    /// Flow 2 (paper 4.2.2): the host is enrolled with sophia, lyon builds the vpxi;
    /// sophia signs `<sophia, lyon, A, propagate>` and alice's chain reduces through it.
    func testTwoRegistrarsShareThePool() async throws {
        let lyon = try RegistrarFixture.corpusKey("lyon")
        let sophia = try RegistrarFixture.corpusKey("sophia")
        let path = directory.appendingPathComponent("shared.sqlite").path
        let r1 = try await RunningRegistrar.start(database: try await SQLiteStore.open(path: path), name: "lyon", key: lyon)
        let r2 = try await RunningRegistrar.start(database: try await SQLiteStore.open(path: path), name: "sophia", key: sophia)
        try await withCleanup([r1, r2]) {
            try await Self.registerUsers(r1.service)
            let keys = try RegistrarFixture.slotKeys()
            let enrolled = try await Self.enroll(r2, host: "sophia-01", hostKey: keys[91], slots: Array(keys[4..<6]), cpus: 2, registrarKey: sophia)
            XCTAssertEqual(enrolled.status, 200, enrolled.text)

            let created = try await Self.create(r1, "cross", machines: 2)
            XCTAssertEqual(created.status, 201, created.text)
            XCTAssertTrue(created.text.contains("pending"), "sophia has not signed yet: \(created.text)")
            // sophia signs now, unless its background pass (every 200 ms) already has:
            // either way both certs end signed (checked below).
            _ = try await r2.service.signPending()
            let pulled = try await r1.client.get("v1/vpxis/cross/chains/alice")
            XCTAssertFalse(pulled.text.contains("pending"), pulled.text)
            XCTAssertEqual(try RegistrarFixture.reduce(directory, try XCTUnwrap(pulled.sexp), subject: Self.pub("alice")).sorted(), ["node[1]", "node[2]"])
            let flows = try await r1.service.database.read("SELECT COUNT(*) AS n FROM certs WHERE flow = 'registrar-registrar' AND signed = 1", [])
            XCTAssertEqual(flows.first?["n"].int, 2)
        }
    }

    /// Flow 3 (paper 4.2.3): alice adds erin; the registrar re-issues alice's certs with
    /// propagate and hands back `<alice, erin, A, no-propagate>` for alice to sign; erin's
    /// chain (alice's plus that cert) reduces. A user cleared too low, or unknown, is refused.
    func testSecondaryUser() async throws {
        let lyon = try RegistrarFixture.corpusKey("lyon")
        let database = try await SQLiteStore.open(path: directory.appendingPathComponent("r.sqlite").path)
        let registrar = try await RunningRegistrar.start(database: database, name: "lyon", key: lyon)
        try await withCleanup([registrar]) {
            try await FlowTests.enrollCap01(registrar, slots: 2, registrarKey: lyon)
            let alice = try RegistrarFixture.corpusKey("alice")
            let now = RegistrarFixture.now
            let created = try await Self.create(registrar, "seg", machines: 2)
            XCTAssertEqual(created.status, 201, created.text)

            let low = try await registrar.client.post("v1/vpxis/seg/users", op: "add-user",
                                                      arguments: [["vpxi", "seg"], ["user", "carol"], ["rights", "ssh"], ["on", "node[1]"]], key: alice, time: now)
            XCTAssertEqual(low.status, 403, low.text)
            XCTAssertEqual(low.errorCode, "R008")
            let unknown = try await registrar.client.post("v1/vpxis/seg/users", op: "add-user",
                                                          arguments: [["vpxi", "seg"], ["user", "mallory"], ["rights", "ssh"]], key: alice, time: now)
            XCTAssertEqual(unknown.status, 404, unknown.text)
            let notOwner = try await registrar.client.post("v1/vpxis/seg/users", op: "add-user",
                                                           arguments: [["vpxi", "seg"], ["user", "erin"], ["rights", "ssh"]],
                                                           key: try RegistrarFixture.corpusKey("erin"), time: now)
            XCTAssertEqual(notOwner.status, 403, notOwner.text)

            let added = try await registrar.client.post("v1/vpxis/seg/users", op: "add-user",
                                                        arguments: [["vpxi", "seg"], ["user", "erin"], ["rights", "ssh"], ["on", "node[1]"]], key: alice, time: now)
            XCTAssertEqual(added.status, 200, added.text)
            let answer = try XCTUnwrap(added.sexp)
            let requests = Array(try XCTUnwrap(answer.first("to-sign")).tail)
            XCTAssertEqual(requests.count, 1)
            var warnings: [SPKIWarning] = []
            let toSign = try Cert(parsing: try XCTUnwrap(requests[0].first("cert")), warnings: &warnings)
            XCTAssertFalse(toSign.propagate)
            // alice signs it, as `spki cert` would.
            let signature = try toSign.sign(with: alice)
            let extra: SExpr = ["sequence", toSign.sexp, signature.sexp]

            let aliceAnswer = try await registrar.client.get("v1/vpxis/seg/chains/alice").sexp
            let aliceChains = try XCTUnwrap(aliceAnswer)
            XCTAssertTrue(aliceChains.advanced().contains("propagate"))
            let erinAnswer = try await registrar.client.get("v1/vpxis/seg/chains/erin").sexp
            let erinChains = try XCTUnwrap(erinAnswer)
            XCTAssertTrue(erinChains.advanced().contains("pending"), "the delegation waits for alice's signature")
            XCTAssertEqual(try RegistrarFixture.reduce(directory, erinChains, subject: Self.pub("erin"), extra: ["node[1]": extra]), ["node[1]"])
            XCTAssertEqual(try RegistrarFixture.reduce(directory, erinChains, subject: Self.pub("erin")), [], "without alice's signature erin has nothing")
        }
    }
}
