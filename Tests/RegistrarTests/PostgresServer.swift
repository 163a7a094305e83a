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

    /// Runs a PostgreSQL tool, its output in a file, with no descriptor but 0, 1 and 2
    /// inherited: `pg_ctl start` leaves a server behind, which would otherwise keep
    /// Foundation's process-monitoring socket open and hang `waitUntilExit`.
    func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, stderrText: String) {
        let output = directory.appendingPathComponent("\(tool).out").path
        let argv = (runAs.map { ["/usr/sbin/runuser", "-u", $0, "--"] } ?? []) + ["\(bin)/\(tool)"] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else is inherited: every other descriptor is closed on exec.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            if let fd = Int32(name), fd > 2 { _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC) }
        }
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else { return (127, "cannot run \(argv[0]): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), text)
    }

    static func start() throws -> PostgresServer {
        let bin = try binaries()
        let runAs: String? = getuid() == 0 ? "postgres" : nil
        let directory = URL(fileURLWithPath: "/tmp/registrar-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if let runAs {
            let chown = try ExternalTool.run("/bin/chown", ["\(runAs):\(runAs)", directory.path])
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
