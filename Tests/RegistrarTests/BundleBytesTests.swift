@testable import Registrar
import Backends
import Foundation
import SExpr
import TestSupport
import XCTest

/// Bundles stored as bytes (migration 4: `bundles.data`, `BYTEA`), on both engines: what is
/// written is the bundle's bytes, not base64 text; a row written before the migration (its
/// bundle in base64 in `body`, no `data`) is still served, the same bytes and ETag; and a
/// database at schema 3 with such rows migrates and serves them.
final class BundleBytesTests: RegistrarScratchTestCase {
    func testBundlesAreStoredAsBytesOnSQLite() async throws {
        let database = try await SQLiteStore.open(path: directory.appendingPathComponent("r.sqlite").path)
        try await checkBundleBytes(database)
    }

    func testBundlesAreStoredAsBytesOnPostgres() async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        try await checkBundleBytes(try await PostgresStore.open(server.url))
    }

    func checkBundleBytes(_ database: some RegistrarDatabase) async throws {
        try await withClockedLyon(on: database, slots: 4) { service, database, clock, start, _ in
            _ = try await service.handle(Array(try RequestSigner.sign(
                op: "create-vpxi", arguments: [["policy", .string(RegistrarFixture.fragment("va", machines: 2, now: start))]],
                key: try RegistrarFixture.corpusKey("alice"), time: start).advanced(width: 0).utf8))
            clock.set(start - 600 + 3600 - 60)
            let renewed = try await service.renewDue()
            XCTAssertEqual(renewed, 1)
            let rows = try await database.read("SELECT host, vpxi, body, data, delta, etag FROM bundles", [])
            XCTAssertEqual(rows.count, 1)
            let row = try XCTUnwrap(rows.first)
            XCTAssertNotNil(row["delta"].bytes, "bytes, as a base and a delta (migration 6)")
            XCTAssertEqual(row["body"].text, "", "no base64 text any more")
            let pulled = try await service.bundle(host: "cap-01", vpxi: "va", ifNoneMatch: nil)
            let bytes = try XCTUnwrap(pulled.body)
            XCTAssertEqual(try row.text("etag"), BundleETag.of(bytes))
            XCTAssertEqual(try BundleArchive.decode(bytes).host, "cap-01")

            // The row as written before migration 4: base64 text, no bytes.
            _ = try await database.transaction { tx in
                try await tx.query("UPDATE bundles SET body = $1, data = NULL, base = NULL, delta = NULL WHERE vpxi = 'va'", [.text(Base64.encode(bytes))])
            }
            service.etags.forget(vpxi: "va")
            let old = try await service.bundle(host: "cap-01", vpxi: "va", ifNoneMatch: nil)
            XCTAssertEqual(old.body, bytes)
            XCTAssertEqual(old.etag, pulled.etag)
            // A row with neither is an internal error, not a crash or an empty bundle.
            _ = try await database.transaction { tx in try await tx.query("UPDATE bundles SET body = 'not base64!', data = NULL", []) }
            service.etags.forget(vpxi: "va")
            do throws(RegistrarError) {
                _ = try await service.bundle(host: "cap-01", vpxi: "va", ifNoneMatch: nil)
                XCTFail("a bundle with no bytes was served")
            } catch {
                XCTAssertEqual(error.code, .internal)
            }
        }
    }

    /// A database at schema 3 with a bundle in base64: migrating adds the column, keeps the
    /// row, and the row's bytes are read back from its text.
    func testSchemaThreeMigratesOnSQLite() async throws {
        let database = try await SQLiteStore.open(path: directory.appendingPathComponent("v3.sqlite").path)
        try await checkMigration(database)
        await database.close()
    }

    func testSchemaThreeMigratesOnPostgres() async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        let database = try await PostgresStore.open(server.url)
        try await checkMigration(database)
        await database.close()
    }

    func checkMigration(_ database: some RegistrarDatabase) async throws {
        let bytes: [UInt8] = Array(0...255) + Array("(bundle)".utf8)
        _ = try await database.transaction { tx in
            try await tx.query("CREATE TABLE schema_version (version BIGINT NOT NULL)", [])
            for statements in Migrations.all.prefix(3) {
                for statement in statements { try await tx.query(statement, []) }
            }
            try await tx.query("INSERT INTO schema_version (version) VALUES (3)", [])
            try await tx.query("INSERT INTO bundles (host, vpxi, epoch, body, etag, updated_at) VALUES ('cap-01', 'va', 2, $1, 'e', 0)",
                               [.text(Base64.encode(bytes))])
        }
        try await Migrations.run(on: database)
        let version = try await database.read("SELECT MAX(version) AS v FROM schema_version", [])
        XCTAssertEqual(version.first?["v"].int, Int64(Migrations.latest))
        XCTAssertGreaterThanOrEqual(Migrations.latest, 4)
        let rows = try await database.read("SELECT body, data FROM bundles WHERE vpxi = 'va'", [])
        XCTAssertEqual(rows.count, 1)
        XCTAssertNil(rows.first?["data"].bytes)
        XCTAssertEqual(try RegistrarService.bundleBytes(try XCTUnwrap(rows.first)), bytes)
        // Bytes written now come back as they went in, every byte value.
        _ = try await database.transaction { tx in
            try await tx.query("UPDATE bundles SET body = '', data = $1 WHERE vpxi = 'va'", [.bytes(bytes)])
        }
        let written = try await database.read("SELECT body, data FROM bundles WHERE vpxi = 'va'", [])
        XCTAssertEqual(written.first?["data"].bytes, bytes)
        XCTAssertEqual(try RegistrarService.bundleBytes(try XCTUnwrap(written.first)), bytes)
    }
}
