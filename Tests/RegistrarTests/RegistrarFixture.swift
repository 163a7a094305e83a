import Foundation
import Registrar
import RSA
import SExpr
import SPKI
import TestSupport
import XCTest

/// Keys, enrollment requests and running registrars for the tests. The keys are the
/// repository's demo keys (corpus/keys, corpus/vm-keys): generating RSA-2048 keys for
/// a hundred VM slots would dominate the tests' time.
enum RegistrarFixture {
    static func key(_ path: String) throws -> RSAKeyFile {
        try RSAKeyFile.load(Array(Data(contentsOf: PackagePaths.corpus(path))))
    }

    static func corpusKey(_ name: String) throws -> RSAKeyFile { try key("keys/\(name).key") }

    /// Every demo key usable as a VM slot or a host key, in a fixed order: the vm-keys,
    /// then user-00 ... user-49.
    static func slotKeys() throws -> [RSAKeyFile] {
        let root = PackagePaths.corpus("vm-keys")
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        var paths: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            if url.pathExtension == "key" { paths.append(url.path) }
        }
        var keys = try paths.sorted().map { try RSAKeyFile.load(Array(Data(contentsOf: URL(fileURLWithPath: $0)))) }
        keys += try (0..<50).map { try corpusKey(String(format: "user-%02d", $0)) }
        return keys
    }

    /// `(vm (sequence <VM, REGISTRAR, (tag (*)), propagate, until notAfter> SIGNATURE))`.
    static func vm(_ key: RSAKeyFile, registrar: RSAKeyFile, notAfter: Int64) throws -> SExpr {
        let cert = Cert(issuer: Principal(key: key), subject: .principal(Principal(key: registrar)), tag: .all, propagate: true,
                        validity: Validity(notAfter: SPKIDate(secondsSinceEpoch: notAfter)))
        let signature = try cert.sign(with: key)
        return ["vm", ["sequence", cert.sexp, signature.sexp]]
    }

    /// The arguments of an enrollment.
    static func enrollment(host: String, cpus: Int, slots: [RSAKeyFile], registrar: RSAKeyFile, now: Int64,
                           token: String? = nil, trustedBy: [String] = ["hospital"]) throws -> [SExpr] {
        var arguments: [SExpr] = [
            ["host", ["name", .string(host)], ["cpus", .string(String(cpus))], ["memory", .string(String(Int64(cpus) << 30))],
             ["disk", .string(String(Int64(100) << 30))], ["hypervisor", "xen"], .list(["trusted-by"] + trustedBy.map { .string($0) }),
             ["locator", "192.0.2.1"]],
        ]
        if let token { arguments.append(["token", .string(token)]) }
        for key in slots { arguments.append(try vm(key, registrar: registrar, notAfter: now + 30 * 86400)) }
        return arguments
    }

    /// A vpxi of `machines` one-cpu machines owned by alice, for the window around `now`.
    static func fragment(_ name: String, machines: Int = 1, registrar: String = "lyon", now: Int64,
                         lifetime: String = "2h", renewal: String = "1h", extra: String = "") -> String {
        let start = SPKIDate(secondsSinceEpoch: now - 600).rfc3339
        let end = SPKIDate(secondsSinceEpoch: now + 86400).rfc3339
        return """
            vpxi \(name) {
              owner alice
              registrar \(registrar)
              window \(start) .. \(end)
              certificates valid \(lifetime) renew every \(renewal)
              require trusted-by hospital
              confidentiality high
              cluster node[\(machines)] { function computing cpus 1 memory 1 GiB image "worker" }
              grant alice ssh, console on all
            \(extra)}
            """
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    /// A set-up step that did not work: the test fails (never skips) with this message.
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Starts `vpxi-agent ARGUMENTS` (the built executable) with its output in `log`,
    /// created empty; the caller terminates it and reads the log after it has exited.
    static func startAgent(_ arguments: [String], log: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PackagePaths.executable("vpxi-agent"))
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardError = handle
        process.standardOutput = handle
        try process.run()
        try handle.close()  // the agent has its own descriptor
        return process
    }

    /// Runs a blocking call (the agent's pulls wait on URLSession) on a thread of its own,
    /// never on one of the few threads the registrar's handlers in this process need.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Writes each machine's ACL and sequence of a pulled chains document, and reduces them
    /// with `spki reduce` for `subject`; returns the machines whose chain reduced.
    static func reduce(_ directory: URL, _ document: SExpr, subject: String, extra: [String: SExpr] = [:], at: Int64 = RegistrarFixture.now) throws -> [String] {
        let spki = PackagePaths.executable("spki")
        var reduced: [String] = []
        for (index, entry) in document.tail.filter({ $0.head == "machine-chain" }).enumerated() {
            let machine = entry.first("machine")?.tail.first?.text ?? "?"
            guard let acl = entry.first("acl"), var sequence = entry.first("sequence") else { continue }
            if let more = extra[machine], case .list(var items) = sequence, case .list(let added) = more {
                items += added.dropFirst()
                sequence = .list(items)
            }
            let aclFile = directory.appendingPathComponent("acl-\(index).sexp")
            let chainFile = directory.appendingPathComponent("chain-\(index).sexp")
            try Data(acl.advanced().utf8).write(to: aclFile)
            try Data(sequence.advanced().utf8).write(to: chainFile)
            let result = try ExternalTool.run(spki, ["reduce", "--acl", aclFile.path, "--subject", "@" + subject,
                                                     "--at", SPKIDate(secondsSinceEpoch: at).rfc3339, chainFile.path])
            if result.status == 0 { reduced.append(machine) } else { print("spki reduce refused \(machine): \(result.stderrText)") }
        }
        return reduced
    }

}

/// A registrar serving HTTP on a free loopback port, in this process.
final class RunningRegistrar: @unchecked Sendable {
    let service: RegistrarService
    let client: RegistrarClient
    let task: Task<Void, any Error>
    let port: Int

    init(service: RegistrarService, client: RegistrarClient, task: Task<Void, any Error>, port: Int) {
        self.service = service
        self.client = client
        self.task = task
        self.port = port
    }

    static func start(database: any RegistrarDatabase, name: String, key: RSAKeyFile,
                      clock: (@Sendable () -> Int64)? = nil) async throws -> RunningRegistrar {
        let service: RegistrarService
        if let clock {
            service = RegistrarService(configuration: .init(name: name, key: key), database: database, clock: clock)
        } else {
            service = RegistrarService(configuration: .init(name: name, key: key), database: database)
        }
        try await service.start()
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "test-registrar")
        logger.logLevel = .warning
        let task = Task {
            try await RegistrarServer(service: service).run(host: "127.0.0.1", port: 0, renewalInterval: .milliseconds(200), logger: logger) { port in
                continuation.yield(port)
            }
        }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next() else { throw RegistrarFixture.Failure("the registrar's HTTP server did not start") }
        let client = RegistrarClient(base: URL(string: "http://127.0.0.1:\(port)")!)
        return RunningRegistrar(service: service, client: client, task: task, port: port)
    }

    /// Stops the server and closes its database.
    func stop() async {
        task.cancel()
        _ = try? await task.value
        await service.database.close()
    }
}

import Logging

extension XCTestCase {
    /// Runs `body`, then stops the registrars and closes the databases, whether it threw
    /// or not (an SQLite connection must be closed before it is freed).
    func withCleanup(_ registrars: @autoclosure () -> [RunningRegistrar], databases: @autoclosure () -> [any RegistrarDatabase] = [],
                     _ body: () async throws -> Void) async throws {
        var failure: (any Error)?
        do {
            try await body()
        } catch {
            failure = error
        }
        for registrar in registrars() { await registrar.stop() }
        for database in databases() { await database.close() }
        if let failure { throw failure }
    }
}

/// A test case with a scratch folder of its own, made before each test and removed after.
class RegistrarScratchTestCase: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.make("registrar")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// lyon's registrar on a fresh SQLite database in the scratch folder, the demo users
    /// registered and host cap-01 (key `keys[90]`) enrolled with the first `slots` slot keys;
    /// runs `body(lyon, database, registrar, keys, hostKey)`, then stops the registrar.
    func withEnrolledLyon(slots: Int,
                          _ body: (RSAKeyFile, SQLiteStore, RunningRegistrar, [RSAKeyFile], RSAKeyFile) async throws -> Void) async throws {
        let lyon = try RegistrarFixture.corpusKey("lyon")
        let database = try await SQLiteStore.open(path: directory.appendingPathComponent("r.sqlite").path)
        let registrar = try await RunningRegistrar.start(database: database, name: "lyon", key: lyon)
        try await withCleanup([registrar]) {
            try await FlowTests.registerUsers(registrar.service)
            let keys = try RegistrarFixture.slotKeys()
            let hostKey = keys[90]
            let enrolled = try await FlowTests.enroll(registrar, host: "cap-01", hostKey: hostKey, slots: Array(keys[0..<slots]),
                                                      cpus: slots, registrarKey: lyon)
            XCTAssertEqual(enrolled.status, 200, enrolled.text)
            try await body(lyon, database, registrar, keys, hostKey)
        }
    }

    /// lyon's registrar service (no HTTP server) on a fresh SQLite database, with a test clock
    /// standing at `RegistrarFixture.now`, the demo users registered and host cap-01 (key
    /// `keys[90]`) enrolled with a token and the first `slots` slot keys; runs
    /// `body(service, database, clock, start, keys)`, then closes the database.
    func withClockedLyon(slots: Int, configure: (inout RegistrarService.Configuration) -> Void = { _ in },
                         file: String = "r.sqlite", start: Int64? = nil, bundleSource: (any BundleSource)? = nil,
                         _ body: (RegistrarService, SQLiteStore, TestClock, Int64, [RSAKeyFile]) async throws -> Void) async throws {
        let database = try await SQLiteStore.open(path: directory.appendingPathComponent(file).path)
        try await withClockedLyon(on: database, slots: slots, configure: configure, start: start, bundleSource: bundleSource, body)
    }

    /// The same on a database the caller opened (closed at the end).
    func withClockedLyon<Database: RegistrarDatabase>(on database: Database, slots: Int,
                                                     configure: (inout RegistrarService.Configuration) -> Void = { _ in },
                                                     start: Int64? = nil, bundleSource: (any BundleSource)? = nil,
                                                     _ body: (RegistrarService, Database, TestClock, Int64, [RSAKeyFile]) async throws -> Void) async throws {
        let lyon = try RegistrarFixture.corpusKey("lyon")
        let start = start ?? RegistrarFixture.now
        let clock = TestClock(start)
        var configuration = RegistrarService.Configuration(name: "lyon", key: lyon)
        configure(&configuration)
        let service = RegistrarService(configuration: configuration, database: database, bundleSource: bundleSource ?? NodeBundleSource.ephemeral(),
                                       clock: { clock.now })
        try await withCleanup([], databases: [database]) {
            try await service.start()
            try await FlowTests.registerUsers(service)
            let keys = try RegistrarFixture.slotKeys()
            let token = try await service.createToken(host: "cap-01")
            _ = try await service.handle(Array(try RequestSigner.sign(
                op: "enroll", arguments: try RegistrarFixture.enrollment(host: "cap-01", cpus: slots, slots: Array(keys[0..<slots]), registrar: lyon, now: start, token: token),
                key: keys[90], time: start).advanced(width: 0).utf8))
            try await body(service, database, clock, start, keys)
        }
    }

    /// Polls `get` until it answers 200 with nothing pending (another registrar's
    /// background pass), at most 30 s.
    func eventually(_ get: () async throws -> RegistrarClient.Answer) async throws -> RegistrarClient.Answer {
        var answer = try await get()
        for _ in 0..<150 where answer.status != 200 || answer.text.contains("pending") {
            try await Task.sleep(for: .milliseconds(200))
            answer = try await get()
        }
        return answer
    }

    /// Writes a key file for the agent in the scratch folder: the private key (0600) or the
    /// public key (PEM); returns its path.
    func keyFile(_ key: RSAKeyFile, _ name: String, private isPrivate: Bool) throws -> String {
        let path = directory.appendingPathComponent(name).path
        let bytes = isPrivate ? try XCTUnwrap(key.privateKeyBytes(.pem)) : key.publicKeyBytes(.pem)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: isPrivate ? 0o600 : 0o644]))
        return path
    }
}
