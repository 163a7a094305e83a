import Foundation
@testable import Registrar
import TestSupport
import XCTest

/// The operator's commands (`user add`, `token create`, `migrate`) refuse bad input with a
/// clear error and a distinct status, and close the database on every path: an SQLite
/// connection freed unclosed is a crash (SQLiteNIO's assertion), which a bad user name or
/// key file used to trigger after the database was opened.
final class AdminCommandTests: XCTestCase {
    private var directory: URL!
    private let tool = PackagePaths.executable("vpxi-registrar")
    private let lyon = PackagePaths.corpus("keys/lyon.key").path
    private let alice = PackagePaths.corpus("keys/alice.key").path

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.make("registrar-admin")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    private var db: String { directory.appendingPathComponent("r.sqlite").path }

    private func run(_ arguments: [String]) throws -> ExternalTool.Result {
        try ExternalTool.run(tool, arguments + ["--db", db, "--registrar", "lyon", "--registrar-key", lyon])
    }

    func testABadUserNameIsRefusedWithoutACrash() throws {
        let spaced = try run(["user", "add", "--name", "a b", "--key", alice])
        XCTAssertEqual(spaced.status, 2, spaced.stderrText)
        XCTAssertTrue(spaced.stderrText.contains("error[R001]: `a b` is not a valid user name"), spaced.stderrText)
        XCTAssertFalse(spaced.stderrText.contains("crashed"), spaced.stderrText)

        // A name with an escape sequence: refused, and the message shows the escape rather
        // than sending it to the terminal.
        let escaped = try run(["user", "add", "--name", "a\u{1B}[31m", "--key", alice])
        XCTAssertEqual(escaped.status, 2, escaped.stderrText)
        XCTAssertTrue(escaped.stderrText.contains("`a\u{241B}[31m` is not a valid user name"), escaped.stderrText)
        XCTAssertFalse(escaped.stderrText.unicodeScalars.contains { $0.value == 0x1B }, escaped.stderrText)
    }

    func testABadKeyFileOrClearanceIsRefusedWithoutACrash() throws {
        let notAKey = directory.appendingPathComponent("notes.txt").path
        try Data("not a key\n".utf8).write(to: URL(fileURLWithPath: notAKey))
        let key = try run(["user", "add", "--name", "alice", "--key", notAKey])
        XCTAssertEqual(key.status, 2, key.stderrText)
        XCTAssertTrue(key.stderrText.contains("the file is not a key in any supported format"), key.stderrText)

        let clearance = try run(["user", "add", "--name", "alice", "--key", alice, "--clearance", "ultra"])
        XCTAssertEqual(clearance.status, 2, clearance.stderrText)
        XCTAssertTrue(clearance.stderrText.contains("unknown clearance `ultra`"), clearance.stderrText)

        let host = try run(["token", "create", "--host", "x y"])
        XCTAssertEqual(host.status, 2, host.stderrText)
        XCTAssertTrue(host.stderrText.contains("`x y` is not a valid host name"), host.stderrText)

        // The database is usable afterwards: every failed command closed it.
        let added = try run(["user", "add", "--name", "alice", "--key", alice, "--clearance", "high"])
        XCTAssertEqual(added.status, 0, added.stderrText)
        XCTAssertEqual(added.stdoutText, "registered user alice\n")
        let migrated = try run(["migrate"])
        XCTAssertEqual(migrated.status, 0, migrated.stderrText)
        XCTAssertEqual(migrated.stdoutText, "schema \(Migrations.latest), up to date\n")
    }

    /// `migrate` says what it did; a database migrated by a newer registrar is refused
    /// rather than misread.
    func testMigrateSaysWhatItDidAndRefusesANewerSchema() throws {
        let latest = Migrations.latest
        let first = try run(["migrate"])
        XCTAssertEqual(first.status, 0, first.stderrText)
        XCTAssertEqual(first.stdoutText, "schema \(latest) (migrations 1-\(latest) applied)\n")
        let again = try run(["migrate"])
        XCTAssertEqual(again.stdoutText, "schema \(latest), up to date\n")
        let sqlite3 = try ExternalTool.require("sqlite3", package: "sqlite3")
        XCTAssertEqual(try ExternalTool.run(sqlite3, [db, "INSERT INTO schema_version (version) VALUES (\(latest + 1))"]).status, 0)
        for command in [["migrate"], ["token", "create", "--host", "cap-01"]] {
            let newer = try run(command)
            XCTAssertEqual(newer.status, 1, newer.stderrText)
            XCTAssertTrue(newer.stderrText.contains("error[R014]: the database's schema is version \(latest + 1), newer than this registrar's (\(latest))"),
                          newer.stderrText)
            XCTAssertTrue(newer.stderrText.contains("help: run the newer vpxi-registrar"), newer.stderrText)
        }
        let serve = try ExternalTool.run(tool, ["serve", "--db", db, "--name", "lyon", "--key", lyon, "--keys", directory.path, "--listen", "127.0.0.1:0"])
        XCTAssertEqual(serve.status, 1, serve.stderrText)
        XCTAssertTrue(serve.stderrText.contains("newer than this registrar's"), serve.stderrText)
    }

    func testAnotherKeyForTheSameRegistrarIsRefused() throws {
        XCTAssertEqual(try run(["migrate"]).status, 0)
        let other = try ExternalTool.run(tool, ["migrate", "--db", db, "--registrar", "lyon", "--registrar-key", alice])
        XCTAssertEqual(other.status, 1, other.stderrText)
        XCTAssertTrue(other.stderrText.contains("error[R014]: the database already knows registrar `lyon` with another key"), other.stderrText)
        // The same key under another name: the error names the registrar that has it.
        let renamed = try ExternalTool.run(tool, ["migrate", "--db", db, "--registrar", "sophia", "--registrar-key", lyon])
        XCTAssertEqual(renamed.status, 1, renamed.stderrText)
        XCTAssertTrue(renamed.stderrText.contains("error[R014]: the database already knows this key as registrar `lyon`, not `sophia`"),
                      renamed.stderrText)
    }

    func testAddingAUserAgainSaysWhatChanged() throws {
        let bob = PackagePaths.corpus("keys/bob.key").path
        let first = try run(["user", "add", "--name", "alice", "--key", alice, "--member-of", "hospital", "--clearance", "high"])
        XCTAssertEqual(first.stdoutText, "registered user alice\n", first.stderrText)
        let same = try run(["user", "add", "--name", "alice", "--key", alice, "--member-of", "hospital", "--clearance", "high"])
        XCTAssertEqual(same.stdoutText, "user alice unchanged\n", same.stderrText)
        let changed = try run(["user", "add", "--name", "alice", "--key", bob, "--member-of", "hospital", "--clearance", "low", "--operator"])
        XCTAssertEqual(changed.status, 0, changed.stderrText)
        XCTAssertEqual(changed.stdoutText, "updated user alice: key, clearance, operator\n")
        // Another user cannot take alice's (now bob's) key.
        let clash = try run(["user", "add", "--name", "carol", "--key", bob])
        XCTAssertEqual(clash.status, 1, clash.stderrText)
        XCTAssertTrue(clash.stderrText.contains("this key is already user `alice`'s"), clash.stderrText)
    }
}
