@testable import Registrar
import Foundation
import PolicyCompiler
import RSA
import SExpr
import TestSupport
import XCTest

/// What renewals keep between epochs (`RenewalCache`) and how they record an epoch
/// (multi-row statements): the cached path issues exactly what a cold compile issues, a
/// changed policy or slot is compiled again, and batched statements write what row-by-row
/// statements wrote, on both stores.
final class RenewalCacheTests: RegistrarScratchTestCase {
    /// The renewal of epoch 1 from the cache (compiled vpxi, parsed slots, pooled signer)
    /// gives the same certs, chains and bundle bytes as a cold compile and the compiler's
    /// own signer.
    func testCachedIssueMatchesColdBuild() async throws {
        try await withClockedLyon(slots: 4) { service, _, _, start, _ in
            let (policy, rows) = try await createSeg(service, machines: 3, start: start)
            XCTAssertEqual(rows.count, 3)

            // Cold: compiled from the stored texts, signed by the compiler's CertSigner.
            var slots: [String: VPXICompiler.Slot] = [:]
            for row in rows { slots[try row.text("machine")] = try RegistrarService.slot(row, host: try row.text("host")) }
            let cold = try service.compiler.compile(policy: policy) { (host, machine) throws(RegistrarError) in
                guard let slot = slots[machine], slot.host == host else { throw RegistrarError(.internal, "moved") }
                return slot
            }
            let epoch = cold.model.vpxis[cold.vpxi].schedule.epoch(1)
            let at = epoch.start - 60
            let coldIssue = try EpochIssue.issue(cold, epoch: epoch, at: at, bundleSource: service.bundleSource)

            // Warm: the second lookup hits the cache; the first signing fills the signer pool,
            // the second uses the pooled signer.
            _ = try service.compiledForRenewal(vpxi: "seg", policy: policy, slotRows: rows)
            let before = service.renewalCache.statistics
            let warm = try service.compiledForRenewal(vpxi: "seg", policy: policy, slotRows: rows)
            XCTAssertEqual(service.renewalCache.statistics.hits, before.hits + 1)
            _ = try EpochIssue.issue(warm, epoch: epoch, at: at, bundleSource: service.bundleSource, cache: service.renewalCache)
            let warmIssue = try EpochIssue.issue(warm, epoch: epoch, at: at, bundleSource: service.bundleSource, cache: service.renewalCache)

            XCTAssertEqual(warmIssue.certs.map(\.hash), coldIssue.certs.map(\.hash))
            XCTAssertEqual(warmIssue.certs.map { $0.body.canonical }, coldIssue.certs.map { $0.body.canonical })
            XCTAssertEqual(warmIssue.certs.filter(\.signed).count, coldIssue.certs.filter(\.signed).count)
            XCTAssertGreaterThan(warmIssue.certs.filter { $0.signed && $0.flow != "resource-registrar" }.count, 0)
            XCTAssertEqual(warmIssue.chains.keys.sorted(), coldIssue.chains.keys.sorted())
            for (user, templates) in coldIssue.chains {
                XCTAssertEqual(EpochIssue.encode(warmIssue.chains[user] ?? []).canonical, EpochIssue.encode(templates).canonical, user)
            }
            XCTAssertEqual(warmIssue.bundles.keys.sorted(), ["cap-01"])
            XCTAssertEqual(warmIssue.bundles, coldIssue.bundles, "bundle bytes identical")
        }
    }

    /// A changed policy (add-user rewrites it) or a changed slot misses the cache and is
    /// compiled again; a vpxi no longer active is forgotten by the next renewal pass.
    func testChangesMissTheCache() async throws {
        try await withClockedLyon(slots: 2) { service, database, clock, start, _ in
            _ = try await service.handle(Array(try RequestSigner.sign(
                op: "create-vpxi", arguments: [["policy", .string(RegistrarFixture.fragment("seg", machines: 1, now: start))]],
                key: try RegistrarFixture.corpusKey("alice"), time: start).advanced(width: 0).utf8))
            let policyRows = try await database.read("SELECT policy FROM vpxis WHERE name = 'seg'", [])
            let policy = try XCTUnwrap(policyRows.first).text("policy")
            let rows = try await service.slotRows(vpxi: "seg")
            let fingerprint = RenewalCache.fingerprint(policy: policy, slots: rows)
            XCTAssertEqual(fingerprint, RenewalCache.fingerprint(policy: policy, slots: rows.reversed()), "machine order, not row order")
            XCTAssertNotEqual(fingerprint, RenewalCache.fingerprint(policy: policy + " ", slots: rows))
            var moved = rows
            moved[0].values["idx"] = .int(7)
            XCTAssertNotEqual(fingerprint, RenewalCache.fingerprint(policy: policy, slots: moved))

            // The renewal pass compiles once; an unchanged vpxi then hits.
            let windowStart = start - 600
            clock.set(windowStart + 3600 - 60)
            let renewed = try await service.renewDue()
            XCTAssertEqual(renewed, 1)
            let afterFirst = service.renewalCache.statistics
            XCTAssertEqual(afterFirst.entries, 1)
            _ = try service.compiledForRenewal(vpxi: "seg", policy: policy, slotRows: rows)
            XCTAssertEqual(service.renewalCache.statistics.hits, afterFirst.hits + 1)
            _ = try service.compiledForRenewal(vpxi: "seg", policy: policy + "\n", slotRows: rows)
            XCTAssertEqual(service.renewalCache.statistics.misses, afterFirst.misses + 1)

            // Released: the next pass drops it.
            _ = try await service.handle(Array(try RequestSigner.sign(
                op: "release-vpxi", arguments: [["vpxi", "seg"]], key: try RegistrarFixture.corpusKey("alice"), time: clock.now).advanced(width: 0).utf8))
            _ = try await service.renew(vpxi: "seg", now: clock.now)
            XCTAssertEqual(service.renewalCache.statistics.entries, 0)
        }
    }

    /// Renewal passes on PostgreSQL (a server of the test's own): every epoch of two vpxis
    /// is recorded (certs, chains, bundles upserted by the multi-row statements), the second
    /// pass from the cache, and the pulled chains and bundles carry the new epoch.
    func testRenewalPassesOnPostgres() async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        let database = try await PostgresStore.open(server.url)
        try await withClockedLyon(on: database, slots: 4) { service, database, clock, start, _ in
            for name in ["pa", "pb"] {
                _ = try await service.handle(Array(try RequestSigner.sign(
                    op: "create-vpxi", arguments: [["policy", .string(RegistrarFixture.fragment(name, machines: 2, now: start))]],
                    key: try RegistrarFixture.corpusKey("alice"), time: start).advanced(width: 0).utf8))
            }
            let windowStart = start - 600
            for epoch in 1...2 {
                clock.set(windowStart + Int64(epoch) * 3600 - 60)
                let renewed = try await service.renewDue()
                XCTAssertEqual(renewed, 2, "epoch \(epoch)")
                for name in ["pa", "pb"] {
                    // The epoch's own certs and the enrolled ones, recorded once for every epoch.
                    let certs = try await database.read("SELECT COUNT(*) AS n FROM certs WHERE vpxi = $1 AND (epoch = $2 OR every_epoch = 1)",
                                                        [.text(name), .int(Int64(epoch))])
                    XCTAssertGreaterThan(certs.first?["n"].int ?? 0, 2, "\(name) epoch \(epoch)")
                    let chain = try await database.read("SELECT epoch FROM chains WHERE vpxi = $1 AND principal = 'alice'", [.text(name)])
                    XCTAssertEqual(chain.map { $0["epoch"].int }, [Int64(epoch)])
                    let bundle = try await database.read("SELECT epoch FROM bundles WHERE vpxi = $1 AND host = 'cap-01'", [.text(name)])
                    XCTAssertEqual(bundle.map { $0["epoch"].int }, [Int64(epoch)])
                    let pulled = try await service.chains(vpxi: name, user: "alice", ifNoneMatch: nil)
                    let document = try SExpr.parse(try XCTUnwrap(pulled.body))
                    XCTAssertEqual(document.first("epoch")?.tail.first?.text, String(epoch))
                }
            }
            let statistics = service.renewalCache.statistics
            XCTAssertEqual(statistics.entries, 2)
            XCTAssertEqual(statistics.misses, 2, "compiled once per vpxi")
            XCTAssertEqual(statistics.hits, 2, "the second pass from the cache")
        }
    }

    func testInsertStatementText() {
        XCTAssertEqual(SQLiteStore.Transaction.insertStatement(table: "t", columns: ["a", "b"], rows: 2, conflict: "ON CONFLICT (a) DO NOTHING"),
                       "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT (a) DO NOTHING")
        XCTAssertEqual(SQLiteStore.Transaction.insertStatement(table: "t", columns: ["a"], rows: 1, conflict: ""), "INSERT INTO t (a) VALUES ($1)")
    }

    /// More rows than one statement binds (split into several), an upsert through
    /// `excluded.`, and a conflict that does nothing: on SQLite.
    func testBatchInsertSQLite() async throws {
        let database = try await SQLiteStore.open(path: directory.appendingPathComponent("batch.sqlite").path)
        try await withCleanup([], databases: [database]) {
            try await Self.checkBatchInsert(database)
        }
    }

    /// The same on PostgreSQL (a server of the test's own).
    func testBatchInsertPostgres() async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        let database = try await PostgresStore.open(server.url)
        try await withCleanup([], databases: [database]) {
            try await Self.checkBatchInsert(database)
        }
    }

    static func checkBatchInsert(_ database: any RegistrarDatabase) async throws {
        try await database.transaction { tx in
            _ = try await tx.query("CREATE TABLE batch (k BIGINT PRIMARY KEY, v TEXT NOT NULL, n BIGINT)", [])
        }
        var built: [[DBValue]] = []
        for k in 0..<1000 {
            let n: DBValue = k % 3 == 0 ? .null : .int(Int64(k) * 2)
            built.append([.int(Int64(k)), .text("v\(k)"), n])
        }
        let first = built
        try await database.transaction { tx in
            try await tx.insert(into: "batch", columns: ["k", "v", "n"], rows: first, conflict: "ON CONFLICT (k) DO NOTHING")
        }
        // Half again (ignored), and an upsert over the other half.
        try await database.transaction { tx in
            let ignored: [[DBValue]] = first[..<500].map { row -> [DBValue] in [row[0], .text("no"), .int(0)] }
            let updated: [[DBValue]] = first[500...].map { row -> [DBValue] in [row[0], .text("new"), .int(-1)] }
            try await tx.insert(into: "batch", columns: ["k", "v", "n"], rows: ignored, conflict: "ON CONFLICT (k) DO NOTHING")
            try await tx.insert(into: "batch", columns: ["k", "v", "n"], rows: updated,
                                conflict: "ON CONFLICT (k) DO UPDATE SET v = excluded.v, n = excluded.n")
        }
        let rows = try await database.read("SELECT k, v, n FROM batch ORDER BY k", [])
        XCTAssertEqual(rows.count, 1000)
        XCTAssertEqual(rows[0]["v"].text, "v0")
        XCTAssertEqual(rows[0]["n"], .null)
        XCTAssertEqual(rows[1]["n"].int, 2)
        XCTAssertEqual(rows[499]["v"].text, "v499")
        XCTAssertEqual(rows[500]["v"].text, "new")
        XCTAssertEqual(rows[999]["n"].int, -1)
        // A failing batch (a NULL in a NOT NULL column in its last statement) writes nothing.
        do {
            try await database.transaction { tx in
                var rows: [[DBValue]] = []
                for k in 2000..<2400 {
                    let v: DBValue = k == 2399 ? .null : .text("x")
                    rows.append([.int(Int64(k)), v, .null])
                }
                try await tx.insert(into: "batch", columns: ["k", "v", "n"], rows: rows)
            }
            XCTFail("a NULL in a NOT NULL column is refused")
        } catch {}
        let count = try await database.read("SELECT COUNT(*) AS n FROM batch", [])
        XCTAssertEqual(count.first?["n"].int, 1000)
    }
}
