import Foundation
import TestSupport
import XCTest

/// A PostgreSQL server of the tests' own: a data directory made with initdb, a port of
/// its own on loopback, removed at the end. Run as the `postgres` user (runuser) when the
/// tests run as root, since the server refuses to run as root. Debian's `postgresql`
/// package provides it; under CI=true a missing server fails the test.
final class PostgresServer: @unchecked Sendable {
    let directory: URL
    let port: Int
    let bin: String
    let runAs: String?

    /// `postgres://registrar@127.0.0.1:PORT/registrar?sslmode=disable`
    var url: String { "postgres://registrar@127.0.0.1:\(port)/registrar?sslmode=disable" }

    private init(directory: URL, port: Int, bin: String, runAs: String?) {
        self.directory = directory
        self.port = port
        self.bin = bin
        self.runAs = runAs
    }

    /// The folder holding initdb, pg_ctl and createdb.
    static func binaries() throws -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: >) where FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\(version)/bin/initdb") {
            return "/usr/lib/postgresql/\(version)/bin"
        }
        let initdb = try ExternalTool.require("initdb", package: "postgresql")
        return URL(fileURLWithPath: initdb).deletingLastPathComponent().path
    }

    func run(_ tool: String, _ arguments: [String]) throws -> ExternalTool.Result {
        if let runAs {
            return try ExternalTool.run("/usr/sbin/runuser", ["-u", runAs, "--", "\(bin)/\(tool)"] + arguments)
        }
        return try ExternalTool.run("\(bin)/\(tool)", arguments)
    }

    static func start() throws -> PostgresServer {
        let bin = try binaries()
        let runAs: String? = getuid() == 0 ? "postgres" : nil
        let directory = URL(fileURLWithPath: "/tmp/registrar-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if let runAs {
            let chown = try ExternalTool.run("/bin/chown", ["-R", "\(runAs):\(runAs)", directory.path])
            guard chown.status == 0 else { throw XCTSkip("cannot give the data directory to `\(runAs)`: \(chown.stderrText)") }
        }
        var lastError = ""
        for _ in 0..<3 {
            let port = Int.random(in: 20000...60000)
            let server = PostgresServer(directory: directory, port: port, bin: bin, runAs: runAs)
            let data = directory.appendingPathComponent("data").path
            if !FileManager.default.fileExists(atPath: data) {
                let initdb = try server.run("initdb", ["-D", data, "-A", "trust", "-U", "registrar", "-E", "UTF8", "--no-sync"])
                guard initdb.status == 0 else {
                    try? FileManager.default.removeItem(at: directory)
                    XCTFail("initdb failed: \(initdb.stderrText)")
                    throw XCTSkip("initdb failed")
                }
            }
            let options = "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
            let started = try server.run("pg_ctl", ["-D", data, "-l", directory.appendingPathComponent("log").path, "-o", options, "-w", "-t", "60", "start"])
            if started.status == 0 {
                let created = try server.run("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "registrar", "registrar"])
                guard created.status == 0 else {
                    server.stop()
                    throw XCTSkip("createdb failed: \(created.stderrText)")
                }
                return server
            }
            lastError = started.stderrText + ((try? String(contentsOf: directory.appendingPathComponent("log"), encoding: .utf8)) ?? "")
        }
        try? FileManager.default.removeItem(at: directory)
        XCTFail("PostgreSQL did not start: \(lastError)")
        throw XCTSkip("PostgreSQL did not start")
    }

    func stop() {
        _ = try? run("pg_ctl", ["-D", directory.appendingPathComponent("data").path, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }
}
