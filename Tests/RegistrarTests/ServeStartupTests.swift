#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Registrar
import TestSupport
import XCTest

/// `vpxi-registrar serve` that cannot start says why and exits cleanly (never a crash,
/// never a silent wait): a file that is not a database, an address it cannot listen
/// on, a PostgreSQL server that is down or a database that does not exist.
final class ServeStartupTests: XCTestCase {
    private var directory: URL!
    private let tool = PackagePaths.executable("vpxi-registrar")
    private let lyon = PackagePaths.corpus("keys/lyon.key").path

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.make("registrar-start")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    private func serve(db: String, listen: String = "127.0.0.1:0") throws -> ExternalTool.Result {
        // `--keys` in the scratch folder: the ESP master secret the registrar generates
        // beside its keys must not land in corpus/.
        try ExternalTool.run(tool, ["serve", "--db", db, "--name", "lyon", "--key", lyon, "--keys", directory.path, "--listen", listen])
    }

    func testAFileThatIsNotADatabaseIsRefusedAndLeftAlone() throws {
        let path = directory.appendingPathComponent("notes.sqlite").path
        let text = Array("these are someone's notes, not a database\n".utf8)
        try Data(text).write(to: URL(fileURLWithPath: path))
        let result = try serve(db: path)
        XCTAssertEqual(result.status, 1, result.stderrText)
        XCTAssertTrue(result.stderrText.contains("error[R020]: cannot open the SQLite database"), result.stderrText)
        XCTAssertTrue(result.stderrText.contains("not a database"), result.stderrText)
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: path))), text, "the file is not changed")
    }

    func testAnAddressItCannotListenOn() throws {
        let db = directory.appendingPathComponent("r.sqlite").path
        let unknown = try serve(db: db, listen: "999.1.1.1:8440")
        XCTAssertEqual(unknown.status, 2, unknown.stderrText)
        XCTAssertTrue(unknown.stderrText.contains("error[R021]: cannot listen on 999.1.1.1:8440"), unknown.stderrText)
        XCTAssertFalse(unknown.stderrText.contains("internal error"), unknown.stderrText)

        // A port another socket holds.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(holder, 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, length) == 0 && listen(holder, 1) == 0 && getsockname(holder, $0, &length) == 0 }
        }
        XCTAssertTrue(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let taken = try serve(db: db, listen: "127.0.0.1:\(port)")
        XCTAssertEqual(taken.status, 2, taken.stderrText)
        XCTAssertTrue(taken.stderrText.contains("error[R021]: cannot listen on 127.0.0.1:\(port)"), taken.stderrText)
        XCTAssertTrue(taken.stderrText.contains("Address already in use"), taken.stderrText)
        XCTAssertFalse(taken.stderrText.contains("storage failure"), "shutting down is not a storage failure: \(taken.stderrText)")
    }

    func testBadSettingsAreNamedOneByOne() throws {
        let db = directory.appendingPathComponent("r.sqlite").path
        let base = ["serve", "--db", db, "--name", "lyon", "--key", lyon, "--keys", directory.path]
        for (extra, message) in [
            (["--url", "notaurl"], "--url `notaurl` is not an http:// or https:// URL with a host"),
            (["--url", "ftp://lyon.example.org"], "--url `ftp://lyon.example.org` is not an http:// or https:// URL"),
            (["--url", "http://"], "--url `http://` is not an http:// or https:// URL with a host"),
            (["--max-request-bytes", "0"], "--max-request-bytes must be a positive number of bytes, got 0"),
            (["--renewal-interval", "0"], "--renewal-interval must be a positive number of seconds, got 0"),
        ] {
            let result = try ExternalTool.run(tool, base + extra)
            XCTAssertEqual(result.status, 2, "\(extra): \(result.stderrText)")
            XCTAssertTrue(result.stderrText.contains(message), "\(extra): \(result.stderrText)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: db), "nothing is created before the settings are checked")
    }

    func testAPostgreSQLServerThatIsDownFailsAtOnce() throws {
        let started = Date()
        let result = try serve(db: "postgres://registrar@127.0.0.1:1/registrar?sslmode=disable")
        XCTAssertEqual(result.status, 1, result.stderrText)
        XCTAssertTrue(result.stderrText.contains("error[R020]: cannot connect to PostgreSQL at 127.0.0.1:1"), result.stderrText)
        XCTAssertTrue(result.stderrText.contains("Connection refused"), result.stderrText)
        XCTAssertLessThan(Date().timeIntervalSince(started), 15, "no silent wait")
    }

    func testAnUnknownPostgreSQLDatabaseIsNamed() throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        let url = server.url.replacingOccurrences(of: "/registrar?", with: "/nosuchdb?")
        let result = try serve(db: url)
        XCTAssertEqual(result.status, 1, result.stderrText)
        XCTAssertTrue(result.stderrText.contains("database \"nosuchdb\" does not exist"), result.stderrText)
    }
}
