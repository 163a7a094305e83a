@testable import Registrar
import Foundation
import RSA
import SExpr
import TestSupport
import XCTest

/// The small pieces: PostgreSQL URLs, placeholders, If-None-Match, names, the pool text,
/// and the command line's exit statuses.
final class RegistrarUnitTests: XCTestCase {
    func testPostgresURLs() throws {
        let full = try PostgresStore.parse("postgres://reg:p%40ss@db.example:5433/registrar?sslmode=disable")
        XCTAssertEqual(full, .init(user: "reg", password: "p@ss", host: "db.example", port: 5433, database: "registrar", tls: false))
        let short = try PostgresStore.parse("postgresql://reg@127.0.0.1/r")
        XCTAssertEqual(short.port, 5432)
        XCTAssertTrue(short.tls)
        XCTAssertNil(short.password)
        for bad in ["postgres://", "postgres://host/db", "postgres://u@h:99999/db", "postgres://u@h:5432/"] {
            XCTAssertThrowsError(try PostgresStore.parse(bad), bad) { XCTAssertEqual(($0 as? RegistrarError)?.code, .malformed) }
        }
    }

    func testPlaceholdersForSQLite() {
        XCTAssertEqual(SQLiteStore.translate("SELECT a FROM t WHERE b = $1 AND c = $12"), "SELECT a FROM t WHERE b = ?1 AND c = ?12")
    }

    func testIfNoneMatch() {
        XCTAssertTrue(RegistrarService.matches("\"abc\"", "\"abc\""))
        XCTAssertTrue(RegistrarService.matches("\"x\", W/\"abc\"", "\"abc\""))
        XCTAssertTrue(RegistrarService.matches("*", "\"abc\""))
        XCTAssertFalse(RegistrarService.matches("\"abd\"", "\"abc\""))
    }

    func testNamesAndPoolText() {
        XCTAssertTrue(PoolSnapshot.isValidName("cap-01"))
        for bad in ["", "1host", "a b", "a}", "é"] { XCTAssertFalse(PoolSnapshot.isValidName(bad), bad) }
        var pool = PoolSnapshot()
        pool.registrars = [.init(name: "lyon", key: "(public-key (rsa (e #03#) (n |AQ==|)))")]
        pool.hosts = [
            .init(name: "full", registrar: "lyon", freeCPUs: 0, freeMemory: 1 << 30, freeDisk: 0, freeSlots: 2, hypervisor: nil, site: nil, trustedBy: [], locators: []),
            .init(name: "cap", registrar: "lyon", freeCPUs: 2, freeMemory: 1 << 30, freeDisk: 0, freeSlots: 1, hypervisor: "xen", site: "lyon",
                  trustedBy: ["hospital"], locators: ["192.0.2.1"]),
        ]
        let text = pool.policyText
        XCTAssertFalse(text.contains("host full"), "a full host is left out")
        XCTAssertTrue(text.contains("host cap { locator 192.0.2.1 cpus 2 memory 1073741824 B registered-with lyon hypervisor xen site lyon trusted-by hospital }"), text)
        XCTAssertTrue(text.contains("community hospital"))
        XCTAssertEqual(PoolSnapshot.quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"")
    }

    /// Bad usage exits 2, a refusal 1.
    func testCommandLineExitStatuses() throws {
        let tool = PackagePaths.executable("vpxi-registrar")
        let directory = try TemporaryDirectory.make("registrar-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("r.sqlite").path
        let lyon = PackagePaths.corpus("keys/lyon.key").path
        let badListen = try ExternalTool.run(tool, ["serve", "--db", db, "--name", "lyon", "--key", lyon, "--listen", "nowhere"])
        XCTAssertEqual(badListen.status, 2, badListen.stderrText)
        XCTAssertTrue(badListen.stderrText.contains("HOST:PORT"))
        let publicKey = PackagePaths.corpus("policies/ok/keys/lyon.pub").path
        let notPrivate = try ExternalTool.run(tool, ["migrate", "--db", db, "--registrar", "lyon", "--registrar-key", publicKey])
        XCTAssertEqual(notPrivate.status, 2, notPrivate.stderrText)
        let added = try ExternalTool.run(tool, ["user", "add", "--db", db, "--registrar", "lyon", "--registrar-key", lyon,
                                                "--name", "alice", "--key", PackagePaths.corpus("policies/ok/keys/alice.pub").path,
                                                "--member-of", "hospital", "--clearance", "high"])
        XCTAssertEqual(added.status, 0, added.stderrText)
        // Another registrar name with the same key, on the same database: refused.
        let clash = try ExternalTool.run(tool, ["migrate", "--db", db, "--registrar", "sophia", "--registrar-key", lyon])
        XCTAssertEqual(clash.status, 1, clash.stderrText)
        XCTAssertTrue(clash.stderrText.contains("R014"), clash.stderrText)
        let token = try ExternalTool.run(tool, ["token", "create", "--db", db, "--registrar", "lyon", "--registrar-key", lyon, "--host", "cap-01"])
        XCTAssertEqual(token.status, 0)
        XCTAssertEqual(token.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines).count, 40)
    }
}
