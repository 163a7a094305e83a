@testable import Registrar
import Foundation
import SExpr
import TestSupport
import XCTest

/// Run P, the store side of a renewal pass: the enrolled certs already recorded for every
/// epoch are not sent again, and what is sent is the same rows as before; a warm pass's
/// statements, on both stores.
final class StoreSideTests: RegistrarScratchTestCase {
    struct Rollback: Error {}

    // MARK: The enrolled certs: the same rows as inserting them all

    func testEnrolledCertsAsWhenAllInsertedOnSQLite() async throws {
        let reference = try await SQLiteStore.open(path: directory.appendingPathComponent("reference.sqlite").path)
        let new = try await SQLiteStore.open(path: directory.appendingPathComponent("new.sqlite").path)
        try await BundleDeltaStoreTests.closing(reference) { reference in
            try await BundleDeltaStoreTests.closing(new) { new in try await Self.checkEnrolledRows(reference: reference, new: new) }
        }
    }

    func testEnrolledCertsAsWhenAllInsertedOnPostgres() async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        let created = try server.run("createdb", ["-h", "127.0.0.1", "-p", String(server.port), "-U", "registrar", "reference"])
        XCTAssertEqual(created.status, 0, created.stderrText)
        let reference = try await PostgresStore.open(server.url.replacingOccurrences(of: "/registrar?", with: "/reference?"))
        let new = try await PostgresStore.open(server.url)
        try await BundleDeltaStoreTests.closing(reference) { reference in
            try await BundleDeltaStoreTests.closing(new) { new in try await Self.checkEnrolledRows(reference: reference, new: new) }
        }
    }

    /// Random rounds of enrolled certs (vpxis sharing hashes, epochs issued again, rows of
    /// before migration 5 recorded for one epoch only, transactions rolled back, a memory
    /// that forgets): `reference` inserts every row with `ON CONFLICT DO NOTHING` (the
    /// statement before run P), `new` leaves out those remembered and those its
    /// transaction sees (`storeEnrolled`) and remembers them once committed, as a renewal
    /// does. After every round the two tables hold the same rows, column for column.
    static func checkEnrolledRows(reference: any RegistrarDatabase, new: any RegistrarDatabase) async throws {
        try await Migrations.run(on: reference)
        try await Migrations.run(on: new)
        var random = SeededGenerator(seed: 0xE9_2011)
        let records = EnrolledRecords(capacity: 12)
        let vpxis = ["va", "vb", "vc"]
        let hashes = (0..<5).map { "h\($0)" }
        var sent = 0, left = 0
        for round in 0..<80 {
            let epoch = Int64(round / 4)
            // Now and then a row as written before migration 5: one epoch's, every_epoch NULL.
            if Int.random(in: 0..<5, using: &random) == 0 {
                let old = row(vpxi: vpxis.randomElement(using: &random)!, hash: hashes.randomElement(using: &random)!,
                              epoch: epoch - Int64.random(in: 0...1, using: &random), requester: "old \(round)", everyEpoch: false)
                for database in [reference, new] {
                    try await database.transaction { tx in
                        try await tx.insert(into: "certs", columns: RegistrarService.certColumns, rows: [old], conflict: "ON CONFLICT DO NOTHING")
                    }
                }
            }
            var enrolled: [(key: EnrolledRecords.Key, row: [DBValue])] = []
            for vpxi in vpxis where Bool.random(using: &random) {
                for hash in hashes where Int.random(in: 0..<3, using: &random) > 0 {
                    enrolled.append((EnrolledRecords.Key(vpxi: vpxi, hash: hash),
                                     row(vpxi: vpxi, hash: hash, epoch: epoch, requester: "round \(round)", everyEpoch: true)))
                }
            }
            let rollback = Int.random(in: 0..<6, using: &random) == 0
            let all = enrolled.map(\.row)
            do {
                try await reference.transaction { tx in
                    try await tx.insert(into: "certs", columns: RegistrarService.certColumns, rows: all, conflict: "ON CONFLICT DO NOTHING")
                    if rollback { throw Rollback() }
                }
            } catch is Rollback {}
            let unknown = enrolled.filter { !records.contains($0.key) }
            sent += unknown.count
            left += enrolled.count - unknown.count
            do {
                let seen = try await new.transaction { tx in
                    let seen = try await RegistrarService.storeEnrolled(unknown, in: tx)
                    if rollback { throw Rollback() }
                    return seen
                }
                records.remember(seen)
            } catch is Rollback {}
            let expected = try await rows(reference)
            let actual = try await rows(new)
            XCTAssertEqual(actual, expected, "round \(round)")
            if actual != expected { return }
        }
        XCTAssertGreaterThan(left, 50, "the memory left certs out")
        XCTAssertGreaterThan(sent, 50, "and others were looked up")
    }

    /// An enrolled cert's row (`certColumns`), or one of before migration 5.
    static func row(vpxi: String, hash: String, epoch: Int64, requester: String, everyEpoch: Bool) -> [DBValue] {
        [.text(hash), .text(vpxi), .int(epoch), .text("resource-registrar"), .text("m-\(hash)"), .text("resource"), .text("lyon"),
         .text(""), .bytes(Array("(cert \(hash))".utf8)), .int(1), .int(99), .text(requester), .text("resource"), .int(epoch * 10),
         everyEpoch ? .int(1) : .null]
    }

    static func rows(_ database: any RegistrarDatabase) async throws -> [String] {
        try await database.read("SELECT * FROM certs ORDER BY vpxi, epoch, hash", []).map { row in
            RegistrarService.certColumns.map { column in
                row[column].bytes.map { String(decoding: $0, as: UTF8.self) } ?? row[column].text ?? "NULL"
            }.joined(separator: "|")
        }
    }

    // MARK: A warm pass's statements

    func testWarmPassStatementsOnSQLite() async throws {
        let database = StatementLog(try await SQLiteStore.open(path: directory.appendingPathComponent("r.sqlite").path))
        try await checkWarmPasses(database)
    }

    func testWarmPassStatementsOnPostgres() async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        try await checkWarmPasses(StatementLog(try await PostgresStore.open(server.url)))
    }

    /// Three vpxis renewed over four epochs, every statement logged: the first renewal
    /// looks the enrolled certs up (recorded with epoch 0) and sends none, later ones
    /// neither look them up nor send them; each table is one statement a batch; every
    /// enrolled cert is on record once per vpxi and every epoch's own certs once per epoch;
    /// the chains pulled from a registrar with nothing in memory are those the writer serves.
    func checkWarmPasses(_ log: StatementLog) async throws {
        try await withClockedLyon(on: log, slots: 6) { service, _, clock, start, _ in
            let names = ["va", "vb", "vc"]
            for name in names {
                _ = try await service.handle(Array(try RequestSigner.sign(
                    op: "create-vpxi", arguments: [["policy", .string(RegistrarFixture.fragment(name, machines: 2, now: start))]],
                    key: try RegistrarFixture.corpusKey("alice"), time: start).advanced(width: 0).utf8))
            }
            for epoch in 1...4 {
                clock.set(start - 600 + Int64(epoch) * 3600 - 60)
                _ = log.take()
                let renewed = try await service.renewDue()
                XCTAssertEqual(renewed, names.count, "epoch \(epoch)")
                let statements = log.take()
                if epoch == 2 {
                    // What a warm pass sends, for the record (Docs/performance.md, run P).
                    for entry in statements {
                        print("warm pass (\(log.dialect)): \(entry.inTransaction ? "tx" : "read") \(entry.head): \(entry.binds) values, \(entry.bytesBound) bytes bound, \(entry.rows) rows")
                    }
                }
                let written = statements.filter(\.inTransaction)
                let lookUps = written.filter { $0.sql.hasPrefix("SELECT vpxi, hash FROM certs WHERE every_epoch = 1") }
                let enrolledInserts = written.filter { $0.sql.hasPrefix("INSERT INTO certs") && $0.sql.hasSuffix("ON CONFLICT DO NOTHING") }
                XCTAssertEqual(lookUps.count, epoch == 1 ? 1 : 0, "epoch \(epoch): the enrolled certs looked up once, then known")
                XCTAssertEqual(lookUps.first?.rows ?? names.count * 2, names.count * 2, "epoch \(epoch)")
                XCTAssertEqual(enrolledInserts.count, 0, "epoch \(epoch): recorded with epoch 0, never sent again")
                XCTAssertEqual(written.map(\.head), [
                    "SELECT name, status,", "SELECT vpxi, COUNT(*)", "INSERT INTO certs", "INSERT INTO chains", "SELECT vpxi, host,", "INSERT INTO bundles", "UPDATE vpxis SET",
                ].flatMap { $0 == "INSERT INTO certs" && epoch == 1 ? [$0, "SELECT vpxi, hash"] : [$0] }, "epoch \(epoch)")
                XCTAssertEqual(service.enrolledRecords.count, names.count * 2)
                // The records: each enrolled cert once, each epoch's own.
                let enrolled = try await log.read("SELECT vpxi, COUNT(*) AS n FROM certs WHERE flow = 'resource-registrar' GROUP BY vpxi ORDER BY vpxi", [])
                XCTAssertEqual(enrolled.map { $0["n"].int }, names.map { _ in 2 }, "epoch \(epoch)")
                let own = try await log.read("SELECT COUNT(*) AS n FROM certs WHERE epoch = $1 AND every_epoch IS NULL", [.int(Int64(epoch))])
                XCTAssertGreaterThan(try XCTUnwrap(own.first).int("n"), 0)
                let fresh = try BundleDeltaStoreTests.service(log)
                for name in names {
                    for user in ["alice"] {
                        let served = try await service.chains(vpxi: name, user: user, ifNoneMatch: nil)
                        let rebuilt = try await fresh.chains(vpxi: name, user: user, ifNoneMatch: nil)
                        XCTAssertEqual(rebuilt.body, served.body, "epoch \(epoch) \(name)")
                        XCTAssertEqual(rebuilt.etag, served.etag)
                        XCTAssertNotNil(rebuilt.body)
                    }
                }
            }
        }
    }

    /// What `EnrolledRecords` relies on: no statement of the registrar deletes a cert's row
    /// or changes its vpxi, hash or `every_epoch` (a pair seen recorded stays recorded).
    /// Every `certs` statement in the registrar's sources is read: a `DELETE FROM certs`, or
    /// an `UPDATE certs SET` that sets one of those columns, fails this test.
    func testNoStatementDeletesOrMovesACertRow() throws {
        let sources = PackagePaths.root.appendingPathComponent("Sources/Registrar")
        let files = try XCTUnwrap(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)).compactMap { $0 as? URL }
            .filter { $0.pathExtension == "swift" }
        XCTAssertGreaterThan(files.count, 20)
        var updates = 0
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8).lowercased()
            XCTAssertFalse(text.contains("delete from certs"), file.lastPathComponent)
            XCTAssertFalse(text.contains("drop table certs"), file.lastPathComponent)
            var rest = text[...]
            while let update = rest.range(of: "update certs set") {
                let clause = rest[update.upperBound...].prefix { $0 != "\"" }
                let set = clause.range(of: " where ").map { clause[..<$0.lowerBound] } ?? clause
                for column in ["every_epoch", "vpxi", "hash"] {
                    XCTAssertFalse(set.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix(column) },
                                   "\(file.lastPathComponent): UPDATE certs SET\(set)")
                }
                updates += 1
                rest = rest[update.upperBound...]
            }
        }
        XCTAssertGreaterThanOrEqual(updates, 1, "signPending's update is read")
    }

    // MARK: Statements

    /// The multi-row statement written as bytes is the text it was as a string: random
    /// tables, columns, row counts (placeholders of 1 to 5 digits) and conflict clauses.
    func testInsertStatementText() {
        var random = SeededGenerator(seed: 0x5174)
        for _ in 0..<300 {
            let columns = (0..<Int.random(in: 1...16, using: &random)).map { "c\($0)" }
            let rows = Int.random(in: 1...(Bool.random(using: &random) ? 8 : 2_000 / columns.count + 1), using: &random)
            let conflict = ["", "ON CONFLICT DO NOTHING", "ON CONFLICT (c0) DO UPDATE SET c0 = excluded.c0"].randomElement(using: &random)!
            var expected = "INSERT INTO t (\(columns.joined(separator: ", "))) VALUES "
            var placeholder = 1
            for row in 0..<rows {
                expected += row == 0 ? "(" : ", ("
                for column in columns.indices {
                    expected += column == 0 ? "$\(placeholder)" : ", $\(placeholder)"
                    placeholder += 1
                }
                expected += ")"
            }
            if !conflict.isEmpty { expected += " " + conflict }
            XCTAssertEqual(SQLiteStore.Transaction.insertStatement(table: "t", columns: columns, rows: rows, conflict: conflict), expected)
        }
        XCTAssertTrue(SQLiteStore.Transaction.insertStatement(table: "t", columns: ["a"], rows: 12_345, conflict: "").hasSuffix("($12344), ($12345)"))
    }
}
