@testable import Registrar
import Backends
import Foundation
import PolicyCompiler
import RSA
import SExpr
import SPKI
import TestSupport
import XCTest

/// Bundles stored as a base plus a delta (migration 6), on both engines, against the old
/// path (the whole body): every bundle pulled is byte for byte the body given, from the
/// registrar that wrote it and from one with nothing in memory (any registrar serves any
/// bundle from the database alone), over random bodies and changes, restarts, rolled back
/// transactions, old rows, and real renewals.
final class BundleDeltaStoreTests: RegistrarScratchTestCase {
    struct Rollback: Error {}

    func testRandomBundlesOnSQLite() async throws {
        try await Self.closing(try await SQLiteStore.open(path: directory.appendingPathComponent("r.sqlite").path), checkRandomBundles)
    }

    func testRandomBundlesOnPostgres() async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        try await Self.closing(try await PostgresStore.open(server.url), checkRandomBundles)
    }

    /// Runs `body` on `database`, then closes it, whether `body` threw or not (SQLiteNIO
    /// requires a connection closed before it is freed).
    static func closing(_ database: any RegistrarDatabase, _ body: (any RegistrarDatabase) async throws -> Void) async throws {
        do {
            try await body(database)
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }

    static func service(_ database: any RegistrarDatabase) throws -> RegistrarService {
        RegistrarService(configuration: RegistrarService.Configuration(name: "lyon", key: try RegistrarFixture.corpusKey("lyon")), database: database)
    }

    /// Pulls every bundle of `current` from `service` and checks its bytes and ETag.
    static func checkPulls(_ service: RegistrarService, _ current: [String: [UInt8]], _ context: String,
                           file: StaticString = #filePath, line: UInt = #line) async throws {
        for (key, bytes) in current.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "/").map(String.init)
            let pulled = try await service.bundle(host: parts[0], vpxi: parts[1], ifNoneMatch: nil)
            XCTAssertEqual(pulled.body, bytes, "\(context): \(key)", file: file, line: line)
            XCTAssertEqual(pulled.etag, RegistrarService.etag(bytes), "\(context): \(key)", file: file, line: line)
        }
    }

    func checkRandomBundles(_ database: any RegistrarDatabase) async throws {
        let first = try Self.service(database)
        try await first.start()
        var writer = first
        var random = SeededGenerator(seed: 0xDE17A)
        let pairs = ["cap-01", "cap-02"].flatMap { host in ["va", "vb", "vc"].map { "\(host)/\($0)" } }
        var current: [String: [UInt8]] = [:]
        var deltas = 0, bases = 0
        for epoch in 1...30 {
            if epoch % 10 == 0 { writer = try Self.service(database) } // a restart: no base in memory
            var writes: [RegistrarService.BundleWrite] = []
            var rolledBack: [RegistrarService.BundleWrite] = []
            for pair in pairs where current[pair] == nil || Int.random(in: 0..<5, using: &random) > 0 {
                var bytes = current[pair] ?? (0..<Int.random(in: 2000...6000, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                switch Int.random(in: 0..<10, using: &random) {
                case 0: // another length
                    bytes += [UInt8(epoch)]
                case 1: // most bytes change
                    for index in bytes.indices where index % 3 != 0 { bytes[index] &+= 1 }
                case 2:
                    break // unchanged
                default: // a few same-width ranges
                    for _ in 0..<Int.random(in: 1...12, using: &random) {
                        let start = Int.random(in: 0..<(bytes.count - 64), using: &random)
                        for index in start..<(start + Int.random(in: 1...64, using: &random)) { bytes[index] = UInt8.random(in: 0...255, using: &random) }
                    }
                }
                let parts = pair.split(separator: "/").map(String.init)
                writes.append(.init(host: parts[0], vpxi: parts[1], epoch: Int64(epoch), bytes: bytes, etag: RegistrarService.etag(bytes)))
                var near = bytes
                near[0] ^= 1
                rolledBack.append(.init(host: parts[0], vpxi: parts[1], epoch: Int64(epoch), bytes: near, etag: "\"x\""))
                current[pair] = bytes
            }
            if epoch % 7 == 3 {
                // New bases (nothing in memory after a restart), close to this epoch's
                // bodies, remembered by a transaction that rolls back: the next write must
                // not refer to them.
                writer = try Self.service(database)
                let rollbackWriter = writer, rolledBack = rolledBack
                do {
                    _ = try await database.transaction { tx in
                        try await rollbackWriter.storeBundles(rolledBack, in: tx, now: Int64(epoch))
                        throw Rollback()
                    }
                    XCTFail("rolled back")
                } catch is Rollback {}
            }
            let epochWriter = writer, epochWrites = writes
            try await database.transaction { tx in try await epochWriter.storeBundles(epochWrites, in: tx, now: Int64(epoch)) }
            for vpxi in ["va", "vb", "vc"] { writer.etags.forget(vpxi: vpxi) }
            try await Self.checkPulls(writer, current, "epoch \(epoch), the writer")
            try await Self.checkPulls(try Self.service(database), current, "epoch \(epoch), another registrar")
            // One base per bundle, every row a base and a delta.
            let rows = try await database.read("SELECT b.data, b.base, b.delta, (SELECT COUNT(*) FROM bundle_bases k WHERE k.vpxi = b.vpxi AND k.host = b.host) AS bases FROM bundles b", [])
            XCTAssertEqual(rows.count, current.count)
            for row in rows {
                XCTAssertNil(row["data"].bytes)
                XCTAssertNotNil(row["base"].int)
                XCTAssertEqual(row["bases"].int, 1, "epoch \(epoch)")
                let delta = try BundleDelta(decoding: try XCTUnwrap(row["delta"].bytes))
                if delta.ranges.isEmpty { bases += 1 } else { deltas += 1 }
            }
            let count = try await database.read("SELECT COUNT(*) AS n FROM bundle_bases", [])
            XCTAssertEqual(count.first?["n"].int, Int64(current.count), "epoch \(epoch)")
        }
        XCTAssertGreaterThan(deltas, 60, "most rows are deltas")
        XCTAssertGreaterThan(bases, 12, "new lengths, large changes and restarts write bases")
    }

    /// Two registrars writing the same bundles in turn (a rebuild elsewhere, a handover):
    /// each holds in memory a base the other has since replaced and deleted, and must
    /// notice it; every pull is right, one base per bundle.
    func testTwoWritersOnSQLite() async throws {
        try await Self.closing(try await SQLiteStore.open(path: directory.appendingPathComponent("two.sqlite").path), checkTwoWriters)
    }

    func testTwoWritersOnPostgres() async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        try await Self.closing(try await PostgresStore.open(server.url), checkTwoWriters)
    }

    func checkTwoWriters(_ database: any RegistrarDatabase) async throws {
        let writers = [try Self.service(database), try Self.service(database)]
        try await writers[0].start()
        var random = SeededGenerator(seed: 0x2_0123)
        var bytes = (0..<3000).map { _ in UInt8.random(in: 0...255, using: &random) }
        for epoch in 1...12 {
            for _ in 0..<4 { bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random) }
            let writer = writers[epoch % 3 == 0 ? 1 : 0]
            let write = RegistrarService.BundleWrite(host: "cap-01", vpxi: "va", epoch: Int64(epoch), bytes: bytes, etag: RegistrarService.etag(bytes))
            try await database.transaction { tx in try await writer.storeBundles([write], in: tx, now: Int64(epoch)) }
            for other in writers { other.etags.forget(vpxi: "va") }
            for reader in writers {
                try await Self.checkPulls(reader, ["cap-01/va": bytes], "epoch \(epoch)")
            }
            let count = try await database.read("SELECT COUNT(*) AS n FROM bundle_bases", [])
            XCTAssertEqual(count.first?["n"].int, 1, "epoch \(epoch)")
        }
    }

    /// Rows written before migration 6 (a whole `data`; base64 `body` before migration 4),
    /// in a database at schema 5: migrated, served as they were, then replaced by a base and
    /// a delta.
    func testOldRowsOnSQLite() async throws {
        try await Self.closing(try await SQLiteStore.open(path: directory.appendingPathComponent("v5.sqlite").path), checkOldRows)
    }

    func testOldRowsOnPostgres() async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        try await Self.closing(try await PostgresStore.open(server.url), checkOldRows)
    }

    func checkOldRows(_ database: any RegistrarDatabase) async throws {
        let whole: [UInt8] = Array(0...255) + Array("(bundle whole)".utf8)
        let text: [UInt8] = Array("(bundle text)".utf8) + Array(0...255)
        _ = try await database.transaction { tx in
            try await tx.query("CREATE TABLE schema_version (version BIGINT NOT NULL)", [])
            for statements in Migrations.all.prefix(5) {
                for statement in statements { try await tx.query(statement, []) }
            }
            try await tx.query("INSERT INTO schema_version (version) VALUES (5)", [])
            try await tx.query("INSERT INTO bundles (host, vpxi, epoch, body, data, etag, updated_at) VALUES ('cap-01', 'va', 2, '', $1, 'e1', 0)",
                               [.bytes(whole)])
            try await tx.query("INSERT INTO bundles (host, vpxi, epoch, body, etag, updated_at) VALUES ('cap-01', 'vb', 2, $1, 'e2', 0)",
                               [.text(Base64.encode(text))])
        }
        let service = try Self.service(database)
        try await service.start()
        let version = try await database.read("SELECT MAX(version) AS v FROM schema_version", [])
        XCTAssertEqual(version.first?["v"].int, Int64(Migrations.latest))
        let old = try await service.bundle(host: "cap-01", vpxi: "va", ifNoneMatch: nil)
        XCTAssertEqual(old.body, whole)
        XCTAssertEqual(old.etag, "e1")
        let older = try await service.bundle(host: "cap-01", vpxi: "vb", ifNoneMatch: nil)
        XCTAssertEqual(older.body, text)
        XCTAssertEqual(older.etag, "e2")
        // The next epoch replaces the row with a base (nothing in memory), then a delta.
        for (epoch, last) in [(3, UInt8(1)), (4, UInt8(2))] {
            var changed = whole
            changed[changed.count - 1] = last
            let bytes = changed
            try await database.transaction { tx in
                try await service.storeBundles([.init(host: "cap-01", vpxi: "va", epoch: Int64(epoch), bytes: bytes, etag: RegistrarService.etag(bytes))],
                                               in: tx, now: 0)
            }
            service.etags.forget(vpxi: "va")
            let pulled = try await service.bundle(host: "cap-01", vpxi: "va", ifNoneMatch: nil)
            XCTAssertEqual(pulled.body, bytes)
            let row = try await database.read("SELECT data, delta FROM bundles WHERE vpxi = 'va'", [])
            XCTAssertNil(row.first?["data"].bytes)
            XCTAssertEqual(try BundleDelta(decoding: try XCTUnwrap(row.first?["delta"].bytes)).ranges.count, epoch == 3 ? 0 : 1)
        }
        // A missing base is an internal error, not a crash or a wrong bundle.
        _ = try await database.transaction { tx in try await tx.query("DELETE FROM bundle_bases", []) }
        service.etags.forget(vpxi: "va")
        do throws(RegistrarError) {
            _ = try await service.bundle(host: "cap-01", vpxi: "va", ifNoneMatch: nil)
            XCTFail("a bundle without its base was served")
        } catch {
            XCTAssertEqual(error.code, .internal)
        }
    }

    /// Real renewals: each epoch's bundle pulled is the bytes the bundle source built, from
    /// the registrar and from a fresh one; from the second epoch on the row is a delta of
    /// a few KB; the ETag is the derived one; a release deletes the bases.
    func testRenewedBundlesAreTheBytesBuilt() async throws {
        let recorder = RecordingBundleSource(NodeBundleSource.ephemeral())
        try await withClockedLyon(slots: 4, bundleSource: recorder) { service, database, clock, start, _ in
            let alice = try RegistrarFixture.corpusKey("alice")
            _ = try await service.handle(Array(try RequestSigner.sign(
                op: "create-vpxi", arguments: [["policy", .string(RegistrarFixture.fragment("va", machines: 2, now: start))]],
                key: alice, time: start).advanced(width: 0).utf8))
            for epoch in 0...4 {
                if epoch > 0 {
                    clock.set(start - 600 + 3600 * Int64(epoch) - 60)
                    let renewed = try await service.renewDue()
                    XCTAssertEqual(renewed, 1, "epoch \(epoch)")
                }
                let built = try XCTUnwrap(recorder.last["cap-01/va"], "epoch \(epoch)")
                for reader in [service, try Self.service(database)] {
                    let pulled = try await reader.bundle(host: "cap-01", vpxi: "va", ifNoneMatch: nil)
                    XCTAssertEqual(pulled.body, built, "epoch \(epoch)")
                    XCTAssertEqual(pulled.etag, BundleETag.of(built))
                }
                XCTAssertNotNil(BundleETag.derivedInput(built), "a built bundle's ETag comes from its manifest")
                XCTAssertEqual(try BundleArchive.decode(built).host, "cap-01")
                let rows = try await database.read("SELECT data, delta FROM bundles WHERE vpxi = 'va'", [])
                let delta = try BundleDelta(decoding: try XCTUnwrap(rows.first?["delta"].bytes))
                if epoch > 0 {
                    XCTAssertFalse(delta.ranges.isEmpty, "epoch \(epoch): a delta")
                    XCTAssertLessThan(delta.encoded.count * 4, built.count, "epoch \(epoch)")
                }
                let bases = try await database.read("SELECT COUNT(*) AS n FROM bundle_bases", [])
                XCTAssertEqual(bases.first?["n"].int, 1)
            }
            _ = try await service.handle(Array(try RequestSigner.sign(op: "release-vpxi", arguments: [["vpxi", "va"]], key: alice,
                                                                      time: clock.now).advanced(width: 0).utf8))
            let bases = try await database.read("SELECT COUNT(*) AS n FROM bundle_bases", [])
            XCTAssertEqual(bases.first?["n"].int, 0, "a release deletes the bases")
        }
    }
}

/// A bundle source that keeps the last bytes it returned for each host and vpxi.
final class RecordingBundleSource: BundleSource, @unchecked Sendable {
    let inner: any BundleSource
    private let lock = NSLock()
    private var built: [String: [UInt8]] = [:]

    init(_ inner: any BundleSource) { self.inner = inner }

    var last: [String: [UInt8]] {
        lock.lock()
        defer { lock.unlock() }
        return built
    }

    func record(_ vpxi: String, _ bundles: [String: [UInt8]]) -> [String: [UInt8]] {
        lock.lock()
        defer { lock.unlock() }
        for (host, bytes) in bundles { built["\(host)/\(vpxi)"] = bytes }
        return bundles
    }

    func bundles(for issue: EpochIssue, compiled: VPXICompiler.Compiled, certs: CertPlan,
                 signatures: [SPKISignature?]) throws(RegistrarError) -> [String: [UInt8]] {
        record(issue.vpxi, try inner.bundles(for: issue, compiled: compiled, certs: certs, signatures: signatures))
    }

    func bundles(for issue: EpochIssue, compiled: VPXICompiler.Compiled, certs: CertPlan,
                 signatures: [SPKISignature?], signer: RSASigner?) throws(RegistrarError) -> [String: [UInt8]] {
        record(issue.vpxi, try inner.bundles(for: issue, compiled: compiled, certs: certs, signatures: signatures, signer: signer))
    }

    func wrappedSecret(vpxi: String, for registrar: RSAPublicKey) throws(RegistrarError) -> [UInt8]? {
        try inner.wrappedSecret(vpxi: vpxi, for: registrar)
    }

    func sharing(vpxi: String, wrapped: [UInt8], key: RSAKeyFile) throws(RegistrarError) -> any BundleSource {
        try inner.sharing(vpxi: vpxi, wrapped: wrapped, key: key)
    }
}
