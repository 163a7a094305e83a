import Foundation
import Registrar
import RSA
import SExpr
import TestSupport
import XCTest

/// Several registrars sharing one PostgreSQL database (paper 4.2.2): concurrent requests
/// never double-book a VM slot, and a registrar killed mid-request loses nothing it
/// returned and leaves no half-allocated vpxi.
final class PostgresAllocationTests: XCTestCase {
    var server: PostgresServer!

    override func setUpWithError() throws {
        server = try PostgresServer.start()
    }

    override func tearDownWithError() throws {
        server?.stop()
    }

    /// Users and hosts: two hosts with lyon, two with sophia, 22 slots each.
    func preparePool(_ lyon: RegistrarService, _ sophia: RegistrarService, lyonKey: RSAKeyFile, sophiaKey: RSAKeyFile,
                     hosts: Int = 4, slotsPerHost: Int = 22) async throws {
        try await FlowTests.registerUsers(lyon)
        let keys = try RegistrarFixture.slotKeys()
        let now = RegistrarFixture.now
        for h in 0..<hosts {
            let (service, key) = h % 2 == 0 ? (lyon, lyonKey) : (sophia, sophiaKey)
            let name = "host-\(h)"
            let token = try await service.createToken(host: name)
            let slots = Array(keys[(h * slotsPerHost)..<((h + 1) * slotsPerHost)])
            let arguments = try RegistrarFixture.enrollment(host: name, cpus: slotsPerHost, slots: slots, registrar: key, now: now, token: token)
            _ = try await service.handle(Array(try RequestSigner.sign(op: "enroll", arguments: arguments, key: keys[94 + h], time: now).advanced(width: 0).utf8))
        }
    }

    func testTwoRegistrarsConcurrentRequests() async throws {
        let lyonKey = try RegistrarFixture.corpusKey("lyon")
        let sophiaKey = try RegistrarFixture.corpusKey("sophia")
        let r1 = try await RunningRegistrar.start(database: try await PostgresStore.open(server.url), name: "lyon", key: lyonKey)
        let r2 = try await RunningRegistrar.start(database: try await PostgresStore.open(server.url), name: "sophia", key: sophiaKey)
        try await preparePool(r1.service, r2.service, lyonKey: lyonKey, sophiaKey: sophiaKey)
        let alice = try RegistrarFixture.corpusKey("alice")
        let now = RegistrarFixture.now
        let requests = 200
        let answers = try await withThrowingTaskGroup(of: (String, RegistrarClient.Answer).self) { group in
            for index in 0..<requests {
                let (registrar, name) = index % 2 == 0 ? (r1, "lyon") : (r2, "sophia")
                let vpxi = "v\(index)"
                let fragment = RegistrarFixture.fragment(vpxi, machines: 1, registrar: name, now: now)
                group.addTask {
                    (vpxi, try await registrar.client.post("v1/vpxis", op: "create-vpxi", arguments: [["policy", .string(fragment)]], key: alice, time: now))
                }
            }
            var answers: [(String, RegistrarClient.Answer)] = []
            for try await answer in group { answers.append(answer) }
            return answers
        }
        let succeeded = answers.filter { $0.1.status == 201 }.map(\.0)
        let failed = answers.filter { $0.1.status != 201 }
        for (vpxi, answer) in failed {
            XCTAssertEqual(answer.errorCode, "R012", "\(vpxi): \(answer.text)")
            XCTAssertEqual(answer.status, 409)
        }
        XCTAssertEqual(succeeded.count, 88, "every slot of the pool is used, once")
        let database = r1.service.database
        let used = try await database.read("SELECT COUNT(*) AS n, COUNT(DISTINCT vpxi) AS v FROM slots WHERE vpxi IS NOT NULL", [])
        XCTAssertEqual(used.first?["n"].int, Int64(succeeded.count))
        XCTAssertEqual(used.first?["v"].int, Int64(succeeded.count))
        let doubled = try await database.read(
            "SELECT hash FROM certs WHERE flow = 'resource-registrar' GROUP BY hash HAVING COUNT(DISTINCT vpxi) > 1", [])
        XCTAssertEqual(doubled.count, 0, "a VM slot's resource cert was handed to two vpxis")
        let recorded = try await database.read("SELECT COUNT(DISTINCT vpxi) AS n FROM certs WHERE requester = 'alice'", [])
        XCTAssertEqual(recorded.first?["n"].int, Int64(succeeded.count), "every success is recorded")
        let vpxis = try await database.read("SELECT name FROM vpxis", []).compactMap { $0["name"].text }
        XCTAssertEqual(Set(vpxis), Set(succeeded))
        // Half the vpxis lyon built sit on sophia's hosts and the other way round: each
        // registrar signs the <H2, H1> certs planned with it as issuer, and no chain waits.
        // (the background passes may have signed them already).
        _ = try await r1.service.signPending() + (try await r2.service.signPending())
        let crossing = try await database.read("SELECT COUNT(*) AS n FROM certs WHERE signed = 1 AND flow = 'registrar-registrar'", [])
        XCTAssertGreaterThan(crossing.first?["n"].int ?? 0, 0)
        let pending = try await database.read("SELECT COUNT(*) AS n FROM certs WHERE signed = 0 AND flow = 'registrar-registrar'", [])
        XCTAssertEqual(pending.first?["n"].int, 0)
        // The chains as pulled (built from the certs' rows since migration 5).
        for row in try await database.read("SELECT vpxi, principal FROM chains", []) {
            let pulled = try await r1.service.chains(vpxi: try row.text("vpxi"), user: try row.text("principal"), ifNoneMatch: nil)
            XCTAssertFalse(String(decoding: pulled.body ?? [], as: UTF8.self).contains("pending"), "\(row.values)")
        }
        await r1.stop()
        await r2.stop()
        await r1.service.database.close()
        await r2.service.database.close()
    }

    /// A `vpxi-registrar serve` process killed with SIGKILL while requests are in flight:
    /// after a restart every certificate it returned is in the database, and every vpxi
    /// on record has its slots, certs and chains.
    func testKilledRegistrarLosesNothing() async throws {
        let lyonKey = try RegistrarFixture.corpusKey("lyon")
        let sophiaKey = try RegistrarFixture.corpusKey("sophia")
        let setup = RegistrarService(configuration: .init(name: "lyon", key: lyonKey), database: try await PostgresStore.open(server.url))
        try await setup.start()
        let other = RegistrarService(configuration: .init(name: "sophia", key: sophiaKey), database: setup.database)
        try await other.start()
        try await preparePool(setup, other, lyonKey: lyonKey, sophiaKey: sophiaKey, hosts: 2, slotsPerHost: 30)

        let port = Int.random(in: 20000...60000)
        let executable = PackagePaths.executable("vpxi-registrar")
        // The ESP secret goes to a folder of the test's own, never beside the corpus keys.
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("registrar-keys-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: keys) }
        func launch() throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["serve", "--db", server.url, "--name", "lyon", "--key", PackagePaths.corpus("keys/lyon.key").path,
                                 "--keys", keys, "--listen", "127.0.0.1:\(port)"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        let client = RegistrarClient(base: URL(string: "http://127.0.0.1:\(port)")!)
        func waitUntilUp() async throws {
            for _ in 0..<200 {
                if let answer = try? await client.get("healthz"), answer.status == 200 { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            XCTFail("vpxi-registrar did not start")
        }
        let process = try launch()
        try await waitUntilUp()
        let alice = try RegistrarFixture.corpusKey("alice")
        let now = RegistrarFixture.now
        let returned = ReturnedAnswers()
        let requests = Task {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<60 {
                    let fragment = RegistrarFixture.fragment("k\(index)", machines: 1, now: now)
                    group.addTask {
                        if let answer = try? await client.post("v1/vpxis", op: "create-vpxi", arguments: [["policy", .string(fragment)]], key: alice, time: now),
                           answer.status == 201 {
                            await returned.add("k\(index)", answer)
                        }
                    }
                }
            }
        }
        // Kill it once some answers came back, with others in flight.
        for _ in 0..<300 where await returned.count < 5 { try await Task.sleep(for: .milliseconds(20)) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        await requests.value
        let answers = await returned.all
        XCTAssertGreaterThan(answers.count, 0)

        let restarted = try launch()
        defer { if restarted.isRunning { restarted.terminate() } }
        try await waitUntilUp()
        let database = setup.database
        for (vpxi, answer) in answers {
            let document = try XCTUnwrap(answer.sexp)
            let chains = try XCTUnwrap(document.first("chains"), answer.text)
            for entry in chains.tail where entry.head == "machine-chain" {
                for item in entry.first("sequence")?.tail ?? [] where item.head == "cert" {
                    let hash = Hex.encode(HashAlgorithm.sha256.digest(item.canonical))
                    let found = try await database.read("SELECT signed FROM certs WHERE vpxi = $1 AND hash = $2", [.text(vpxi), .text(hash)])
                    XCTAssertEqual(found.first?["signed"].int, 1, "\(vpxi): a returned cert is missing")
                }
            }
            let pulled = try await client.get("v1/vpxis/\(vpxi)/chains/alice")
            XCTAssertEqual(pulled.status, 200)
        }
        // No half allocation: every vpxi on record has its slot, certs and chains; every
        // allocated slot belongs to a vpxi on record.
        let orphans = try await database.read("SELECT COUNT(*) AS n FROM slots s WHERE s.vpxi IS NOT NULL AND NOT EXISTS (SELECT 1 FROM vpxis v WHERE v.name = s.vpxi)", [])
        XCTAssertEqual(orphans.first?["n"].int, 0)
        let incomplete = try await database.read("""
            SELECT COUNT(*) AS n FROM vpxis v WHERE NOT EXISTS (SELECT 1 FROM slots s WHERE s.vpxi = v.name)
              OR NOT EXISTS (SELECT 1 FROM certs c WHERE c.vpxi = v.name) OR NOT EXISTS (SELECT 1 FROM chains h WHERE h.vpxi = v.name)
            """, [])
        XCTAssertEqual(incomplete.first?["n"].int, 0)
        // SIGTERM: a graceful shutdown, exit status 0.
        restarted.terminate()
        restarted.waitUntilExit()
        XCTAssertEqual(restarted.terminationReason, .exit)
        XCTAssertEqual(restarted.terminationStatus, 0)
        await database.close()
    }
}

/// The answers that came back before the kill.
actor ReturnedAnswers {
    var all: [(String, RegistrarClient.Answer)] = []
    var count: Int { all.count }
    func add(_ vpxi: String, _ answer: RegistrarClient.Answer) { all.append((vpxi, answer)) }
}

import Hashing
