@testable import Registrar
import TestSupport
import XCTest

/// A new SQLite database gets pages of 64 KiB (as the sqlite3 shell reads the file); one
/// made before, by another SQLite (the sqlite3 shell: 4 KiB pages, WAL), keeps its own and
/// still opens, migrates and serves.
final class SQLitePageSizeTests: RegistrarScratchTestCase {
    func testNewDatabaseHasLargePages() async throws {
        let sqlite3 = try ExternalTool.require("sqlite3", package: "sqlite3")
        let path = directory.appendingPathComponent("new.sqlite").path
        try await BundleDeltaStoreTests.closing(try await SQLiteStore.open(path: path)) { database in
            try await Migrations.run(on: database)
            let size = try await database.read("PRAGMA page_size", [])
            XCTAssertEqual(size.first?["page_size"].int, 65536)
        }
        let shell = try ExternalTool.run(sqlite3, [path, "PRAGMA page_size; PRAGMA journal_mode; SELECT COUNT(*) FROM bundle_bases;"])
        XCTAssertEqual(shell.status, 0)
        XCTAssertEqual(String(decoding: shell.stdout, as: UTF8.self), "65536\nwal\n0\n")
    }

    func testExistingDatabaseKeepsItsPages() async throws {
        let sqlite3 = try ExternalTool.require("sqlite3", package: "sqlite3")
        let path = directory.appendingPathComponent("old.sqlite").path
        let made = try ExternalTool.run(sqlite3, [path, "PRAGMA journal_mode=WAL; CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7);"])
        XCTAssertEqual(made.status, 0)
        try await BundleDeltaStoreTests.closing(try await SQLiteStore.open(path: path)) { database in
            try await Migrations.run(on: database)
            let size = try await database.read("PRAGMA page_size", [])
            XCTAssertEqual(size.first?["page_size"].int, 4096)
            let rows = try await database.read("SELECT x, (SELECT COUNT(*) FROM bundle_bases) AS bases FROM t", [])
            XCTAssertEqual(rows.first?["x"].int, 7)
            XCTAssertEqual(rows.first?["bases"].int, 0)
        }
    }
}
