@testable import Registrar
import Foundation
import RSA
import SExpr
import TestSupport
import XCTest

/// Renewals in batches (one read per table and one transaction per batch) and the bound of
/// the renewal cache as a setting: the same rows as renewals one by one without a cache,
/// the bound kept, a vpxi changed between the read and the write left out of its batch.
final class RenewalBatchTests: RegistrarScratchTestCase {
    static let names = ["va", "vb", "vc"]

    /// Two registrars on two databases, the same clock, keys and ESP master secret: one
    /// renews vpxi by vpxi with no cache (`renewalCacheSize` 0: every renewal compiles), the
    /// other in batches from its cache. Every stored cert, chain and bundle is the same,
    /// byte for byte, epoch after epoch.
    func testBatchedRenewalsRecordWhatSingleColdRenewalsRecord() async throws {
        let start = RegistrarFixture.now
        let secret = [UInt8](repeating: 7, count: 32)
        var stored: [[String]] = []
        for batched in [false, true] {
            try await withClockedLyon(slots: 6, configure: { $0.renewalCacheSize = batched ? 4 : 0 }, file: batched ? "b.sqlite" : "a.sqlite",
                                      start: start, bundleSource: try NodeBundleSource(masterSecret: secret)) { service, database, clock, start, _ in
                for name in Self.names { try await self.create(name, machines: 2, on: service, start: start) }
                for epoch in 1...3 {
                    clock.set(start - 600 + Int64(epoch) * 3600 - 60)
                    if batched {
                        let renewed = try await service.renewDue()
                        XCTAssertEqual(renewed, 3, "epoch \(epoch)")
                    } else {
                        for name in Self.names {
                            let renewed = try await service.renew(vpxi: name, now: clock.now)
                            XCTAssertTrue(renewed, "\(name) epoch \(epoch)")
                        }
                    }
                }
                let statistics = service.renewalCache.statistics
                if batched {
                    XCTAssertEqual(statistics.misses, 3, "compiled once per vpxi")
                    XCTAssertEqual(statistics.hits, 6)
                } else {
                    XCTAssertEqual(statistics.entries, 0, "nothing kept")
                    XCTAssertEqual(statistics.hits, 0)
                }
                stored.append(try await Self.rows(database))
            }
        }
        // Each epoch's own certs, the enrolled certs once per vpxi, the chains and the bundles.
        XCTAssertGreaterThan(stored[0].count, 3 * 3 * 3, "certs, chains and bundles of three epochs")
        XCTAssertEqual(stored[0].filter { $0.contains(" resource-registrar ") }.count, Self.names.count * 2,
                       "each enrolled cert once")
        XCTAssertEqual(stored[0], stored[1])
    }

    /// With room for one compiled vpxi, a pass over three keeps one, and each renewal still
    /// issues (compiling again what was dropped).
    func testCacheBoundIsASetting() async throws {
        try await withClockedLyon(slots: 6, configure: { $0.renewalCacheSize = 1 }) { service, _, clock, start, _ in
            XCTAssertEqual(service.renewalCache.capacity, 1)
            for name in Self.names { try await self.create(name, machines: 2, on: service, start: start) }
            for epoch in 1...2 {
                clock.set(start - 600 + Int64(epoch) * 3600 - 60)
                let renewed = try await service.renewDue()
                XCTAssertEqual(renewed, 3)
                XCTAssertEqual(service.renewalCache.statistics.entries, 1, "epoch \(epoch)")
            }
            let statistics = service.renewalCache.statistics
            XCTAssertEqual(statistics.hits + statistics.misses, 6)
            XCTAssertGreaterThanOrEqual(statistics.misses, 5, "at most one renewal found its vpxi kept")
        }
        // The default.
        XCTAssertEqual(RegistrarService.Configuration(name: "lyon", key: try RegistrarFixture.corpusKey("lyon")).renewalCacheSize,
                       RenewalCache.defaultCapacity)
    }

    /// The least recently used compiled vpxi is the one dropped, and what the bundles
    /// derived from it goes with it.
    func testLeastRecentlyUsedIsDropped() async throws {
        try await withClockedLyon(slots: 6, configure: { $0.renewalCacheSize = 2 }) { service, _, _, start, _ in
            for name in Self.names { try await self.create(name, machines: 2, on: service, start: start) }
            let reads = try await service.renewalReads(Self.names)
            XCTAssertEqual(reads.keys.sorted(), Self.names)
            func compiled(_ name: String) throws -> VPXICompiler.Compiled {
                let read = try XCTUnwrap(reads[name])
                return try service.compiledForRenewal(vpxi: name, policy: read.policy, slotRows: read.slots)
            }
            let first = try compiled("va")
            XCTAssertNotNil(first.derived)
            _ = try compiled("vb")
            _ = try compiled("va")  // va is now the most recently used
            _ = try compiled("vc")  // drops vb
            let before = service.renewalCache.statistics
            XCTAssertEqual(before.entries, 2)
            _ = try compiled("va")
            XCTAssertEqual(service.renewalCache.statistics.hits, before.hits + 1, "va kept")
            _ = try compiled("vb")
            XCTAssertEqual(service.renewalCache.statistics.misses, before.misses + 1, "vb dropped")
        }
    }

    /// A vpxi whose epoch moved between the batch's read and its write is left out; the
    /// others of the batch are recorded, in one transaction.
    func testChangedVPXIIsLeftOutOfItsBatch() async throws {
        try await withClockedLyon(slots: 6) { service, database, clock, start, _ in
            try await self.checkChangedVPXIIsLeftOut(service, database, clock, start)
        }
    }

    /// The same on PostgreSQL (a server of the test's own), where the batch's rows are
    /// locked `FOR UPDATE` in name order.
    func testChangedVPXIIsLeftOutOfItsBatchOnPostgres() async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        let database = try await PostgresStore.open(server.url)
        try await withClockedLyon(on: database, slots: 6) { service, database, clock, start, _ in
            try await self.checkChangedVPXIIsLeftOut(service, database, clock, start)
        }
    }

    func checkChangedVPXIIsLeftOut(_ service: RegistrarService, _ database: any RegistrarDatabase, _ clock: TestClock, _ start: Int64) async throws {
        for name in Self.names { try await create(name, machines: 2, on: service, start: start) }
        clock.set(start - 600 + 3600 - 60)
        let reads = try await service.renewalReads(Self.names)
        let (issued, failures) = await service.issueRenewals(Self.names.compactMap { reads[$0] }, now: clock.now)
        XCTAssertTrue(failures.isEmpty)
        XCTAssertEqual(issued.map(\.read.name), Self.names)
        // Meanwhile another pass issued vb's epoch 1.
        _ = try await database.transaction { tx in try await tx.query("UPDATE vpxis SET epoch = 1 WHERE name = 'vb'", []) }
        let recorded = try await service.recordRenewals(issued, now: clock.now)
        XCTAssertEqual(recorded, ["va", "vc"])
        for name in Self.names {
            let rows = try await database.read("SELECT COUNT(*) AS n FROM certs WHERE vpxi = $1 AND epoch = 1", [.text(name)])
            XCTAssertEqual(rows.first?["n"].int ?? 0 > 0, name != "vb", name)
        }
        let epochs = try await database.read("SELECT name, epoch FROM vpxis ORDER BY name", [])
        XCTAssertEqual(epochs.map { $0["epoch"].int }, [1, 1, 1])
        // The chains and bundles of the recorded ones carry epoch 1.
        let chains = try await database.read("SELECT vpxi, epoch FROM chains WHERE principal = 'alice' ORDER BY vpxi", [])
        XCTAssertEqual(chains.map { $0["epoch"].int }, [1, 0, 1])
    }

    /// A batch whose transaction fails (here a trigger refuses vb's bundle) is recorded
    /// again vpxi by vpxi: va and vc are renewed, vb fails alone, is counted, and is issued
    /// again by the next pass once the fault is gone.
    func testFailedBatchIsRecordedVPXIByVPXI() async throws {
        try await withClockedLyon(slots: 6) { service, database, clock, start, _ in
            for name in Self.names { try await self.create(name, machines: 2, on: service, start: start) }
            _ = try await database.transaction { tx in
                try await tx.query("CREATE TRIGGER refuse_vb BEFORE INSERT ON bundles WHEN NEW.vpxi = 'vb' BEGIN SELECT RAISE(ABORT, 'refused'); END", [])
            }
            clock.set(start - 600 + 3600 - 60)
            let failuresBefore = Self.renewalFailures(service)
            let renewed = try await service.renewDue()
            XCTAssertEqual(renewed, 2)
            XCTAssertEqual(Self.renewalFailures(service), failuresBefore + 1, service.metrics.text())
            let epochs = try await database.read("SELECT name, epoch FROM vpxis ORDER BY name", [])
            XCTAssertEqual(epochs.map { $0["epoch"].int }, [1, 0, 1])
            let certs = try await database.read("SELECT COUNT(*) AS n FROM certs WHERE vpxi = 'vb' AND epoch = 1", [])
            XCTAssertEqual(certs.first?["n"].int, 0, "nothing of vb's failed epoch is left")

            _ = try await database.transaction { tx in try await tx.query("DROP TRIGGER refuse_vb", []) }
            let again = try await service.renewDue()
            XCTAssertEqual(again, 1, "vb only")
            let after = try await database.read("SELECT name, epoch FROM vpxis ORDER BY name", [])
            XCTAssertEqual(after.map { $0["epoch"].int }, [1, 1, 1])
        }
    }

    /// `vpxi-registrar serve --renewal-cache`: a negative bound is bad input (exit 2, the
    /// option named, nothing created); the option is in the help.
    func testServeRenewalCacheOption() throws {
        let registrar = PackagePaths.executable("vpxi-registrar")
        let db = directory.appendingPathComponent("cli.sqlite").path
        let refused = try ExternalTool.run(registrar, ["serve", "--db", db, "--name", "lyon", "--key", PackagePaths.corpus("keys/lyon.key").path,
                                                       "--keys", directory.path, "--listen", "127.0.0.1:0", "--renewal-cache=-1"])
        XCTAssertEqual(refused.status, 2, refused.stderrText)
        XCTAssertTrue(refused.stderrText.contains("--renewal-cache -1 is negative"), refused.stderrText)
        XCTAssertFalse(FileManager.default.fileExists(atPath: db), "nothing opened")
        let help = try ExternalTool.run(registrar, ["serve", "--help"])
        XCTAssertTrue(help.stdoutText.contains("--renewal-cache <N>"), help.stdoutText)
    }

    func testPlaceholders() {
        XCTAssertEqual(RegistrarService.placeholders(3), "$1, $2, $3")
        XCTAssertEqual(RegistrarService.placeholders(2, from: 2), "$2, $3")
    }

    // MARK: Helpers

    /// `registrar_renewal_failures_total` from the metrics' text.
    static func renewalFailures(_ service: RegistrarService) -> Int {
        for line in service.metrics.text().split(separator: "\n") where line.hasPrefix("registrar_renewal_failures_total ") {
            return Int(line.split(separator: " ").last ?? "") ?? -1
        }
        return 0
    }

    func create(_ name: String, machines: Int, on service: RegistrarService, start: Int64) async throws {
        _ = try await service.handle(Array(try RequestSigner.sign(
            op: "create-vpxi", arguments: [["policy", .string(RegistrarFixture.fragment(name, machines: machines, now: start))]],
            key: try RegistrarFixture.corpusKey("alice"), time: start).advanced(width: 0).utf8))
    }

    /// Every cert, chain and bundle stored, as text, in a stable order.
    static func rows(_ database: any RegistrarDatabase) async throws -> [String] {
        var lines: [String] = []
        for row in try await database.read("""
            SELECT vpxi, epoch, hash, flow, body, data, signed, not_after, issued_by, every_epoch FROM certs ORDER BY vpxi, epoch, hash
            """, []) {
            lines.append(["cert", "vpxi", "epoch", "hash", "flow", "body", "signed", "not_after", "issued_by", "every_epoch"].dropFirst()
                .map { row[$0].text ?? "-" }.joined(separator: " ") + " " + (row["data"].bytes.map { Base64.encode($0) } ?? "-"))
        }
        for row in try await database.read("SELECT vpxi, principal, epoch, template, body, etag FROM chains ORDER BY vpxi, principal", []) {
            lines.append("chain " + ["vpxi", "principal", "epoch", "template", "body", "etag"].map { row[$0].text ?? "-" }.joined(separator: " "))
        }
        for row in try await database.read("SELECT host, vpxi, epoch, body, data, etag FROM bundles ORDER BY host, vpxi", []) {
            lines.append("bundle " + ["host", "vpxi", "epoch", "body", "etag"].map { row[$0].text ?? "-" }.joined(separator: " ")
                         + " " + (row["data"].bytes.map { Base64.encode($0) } ?? "-"))
        }
        return lines
    }
}
