@testable import Registrar
import Foundation
import RSA
import SExpr
import TestSupport
import XCTest

/// The ETags kept in memory for pulls (`ETagCache`): how long an entry is trusted, one
/// refresh at a time, reads that raced a change are not remembered; on PostgreSQL a change
/// made by another registrar reaches this one's memory through the notifications; and
/// renewals of several vpxis run at once.
final class PullCacheTests: RegistrarScratchTestCase {
    let t0 = ContinuousClock.now

    func at(_ milliseconds: Int) -> ContinuousClock.Instant { t0 + .milliseconds(milliseconds) }

    func isHit(_ lookup: ETagCache.Lookup, _ etag: String? = nil) -> Bool {
        if case .hit(let found) = lookup { return etag.map { $0 == found } ?? true }
        return false
    }

    func testTrustedForItsLifetimeThenRefreshedOnceAtATime() {
        let cache = ETagCache(mode: .expiring, lifetime: .seconds(1), followedLifetime: .seconds(10))
        guard case .read(let ticket) = cache.lookup(vpxi: "seg", "bundles/cap-01", now: at(0)) else { return XCTFail("an empty cache reads") }
        cache.remember(vpxi: "seg", "bundles/cap-01", etag: "\"a\"", ticket: ticket)
        XCTAssertTrue(isHit(cache.lookup(vpxi: "seg", "bundles/cap-01", now: at(999)), "\"a\""))
        XCTAssertFalse(isHit(cache.lookup(vpxi: "seg", "chains/alice", now: at(10))), "another document")
        // Expired: the first pull refreshes, the others answer from memory meanwhile.
        guard case .read(let refresh) = cache.lookup(vpxi: "seg", "bundles/cap-01", now: at(1000)) else { return XCTFail("the first after expiry reads") }
        XCTAssertTrue(isHit(cache.lookup(vpxi: "seg", "bundles/cap-01", now: at(1001)), "\"a\""))
        XCTAssertTrue(isHit(cache.lookup(vpxi: "seg", "bundles/cap-01", now: at(1500)), "\"a\""))
        cache.remember(vpxi: "seg", "bundles/cap-01", etag: "\"b\"", ticket: refresh)
        XCTAssertTrue(isHit(cache.lookup(vpxi: "seg", "bundles/cap-01", now: at(1600)), "\"b\""))
        // A refresh that never came back: after one more lifetime another pull tries, and
        // past lifetime + lifetime every pull reads.
        _ = cache.lookup(vpxi: "seg", "bundles/cap-01", now: at(2000))
        XCTAssertTrue(isHit(cache.lookup(vpxi: "seg", "bundles/cap-01", now: at(2500))))
        XCTAssertFalse(isHit(cache.lookup(vpxi: "seg", "bundles/cap-01", now: at(3000))))
        XCTAssertFalse(isHit(cache.lookup(vpxi: "seg", "bundles/cap-01", now: at(3001))))
    }

    func testFollowingTrustsLongerAndForgetsOnChange() {
        let cache = ETagCache(mode: .following, lifetime: .seconds(1), followedLifetime: .seconds(10))
        for (vpxi, document) in [("seg", "bundles/cap-01"), ("seg", "chains/alice"), ("other", "bundles/cap-01")] {
            guard case .read(let ticket) = cache.lookup(vpxi: vpxi, document, now: at(0)) else { return XCTFail() }
            cache.remember(vpxi: vpxi, document, etag: "\"\(vpxi)\"", ticket: ticket)
        }
        XCTAssertTrue(isHit(cache.lookup(vpxi: "seg", "bundles/cap-01", now: at(9000))))
        cache.forget(vpxi: "seg")
        XCTAssertNil(cache.etag(vpxi: "seg", "bundles/cap-01", now: at(1)))
        XCTAssertNil(cache.etag(vpxi: "seg", "chains/alice", now: at(1)))
        XCTAssertEqual(cache.etag(vpxi: "other", "bundles/cap-01", now: at(1)), "\"other\"")
        // Losing the notifications forgets everything and trusts for a second only.
        cache.reset(.expiring)
        XCTAssertEqual(cache.mode, .expiring)
        XCTAssertNil(cache.etag(vpxi: "other", "bundles/cap-01", now: at(1)))
    }

    /// A read that began before a change was forgotten may hold the old ETag: it is not
    /// remembered.
    func testReadRacingAChangeIsNotRemembered() {
        let cache = ETagCache(mode: .following)
        guard case .read(let ticket) = cache.lookup(vpxi: "seg", "bundles/cap-01") else { return XCTFail() }
        cache.forget(vpxi: "seg")
        cache.remember(vpxi: "seg", "bundles/cap-01", etag: "\"old\"", ticket: ticket)
        XCTAssertNil(cache.etag(vpxi: "seg", "bundles/cap-01"))
        let fresh = cache.ticket()
        cache.remember(vpxi: "seg", "bundles/cap-01", etag: "\"new\"", ticket: fresh)
        XCTAssertEqual(cache.etag(vpxi: "seg", "bundles/cap-01"), "\"new\"")
    }

    /// Property: whatever the interleaving of reads, changes and remembers, an ETag in
    /// memory is never one that was current before the last change of its vpxi.
    func testNeverServesAnETagOlderThanTheLastChange() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let cache = ETagCache(mode: .following)
            var version = ["a": 0, "b": 0]
            var inFlight: [(vpxi: String, version: Int, ticket: ETagCache.Ticket)] = []
            for _ in 0..<50 {
                let vpxi = Bool.random(using: &generator) ? "a" : "b"
                switch Int.random(in: 0..<3, using: &generator) {
                case 0:
                    inFlight.append((vpxi, version[vpxi]!, cache.ticket()))
                case 1:
                    version[vpxi]! += 1
                    cache.forget(vpxi: vpxi)
                default:
                    guard !inFlight.isEmpty else { continue }
                    let read = inFlight.remove(at: Int.random(in: 0..<inFlight.count, using: &generator))
                    cache.remember(vpxi: read.vpxi, "doc", etag: String(read.version), ticket: read.ticket)
                }
                for name in ["a", "b"] {
                    if let etag = cache.etag(vpxi: name, "doc") { XCTAssertEqual(etag, String(version[name]!)) }
                }
            }
        }
    }

    /// Without the memory (`etagMemory = false`, what the benchmark compares with) every
    /// check reads the database.
    func testMemoryOffReadsEveryTime() {
        let cache = ETagCache(lifetime: .zero, followedLifetime: .zero)
        guard case .read(let ticket) = cache.lookup(vpxi: "seg", "d", now: at(0)) else { return XCTFail() }
        cache.remember(vpxi: "seg", "d", etag: "\"a\"", ticket: ticket)
        XCTAssertFalse(isHit(cache.lookup(vpxi: "seg", "d", now: at(0))))
        XCTAssertFalse(isHit(cache.lookup(vpxi: "seg", "d", now: at(0))))
    }

    /// Two registrars on one PostgreSQL: sophia answers alice's chain checks from memory,
    /// and forgets them as soon as lyon changes the vpxi (the trigger's notification),
    /// long before her memory would expire.
    func testOtherRegistrarsChangesReachTheMemory() async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        let lyonKey = try RegistrarFixture.corpusKey("lyon")
        let lyon = try await RunningRegistrar.start(database: try await PostgresStore.open(server.url), name: "lyon", key: lyonKey)
        let sophia = try await RunningRegistrar.start(database: try await PostgresStore.open(server.url), name: "sophia",
                                                      key: try RegistrarFixture.corpusKey("sophia"))
        try await withCleanup([lyon, sophia]) {
            try await FlowTests.enrollCap01(lyon, slots: 4, registrarKey: lyonKey)
            let created = try await FlowTests.create(lyon, "seg", machines: 2)
            XCTAssertEqual(created.status, 201, created.text)
            // Sophia follows the notifications (her LISTEN is in place).
            try await waitUntil("sophia follows the changes") { sophia.service.etags.mode == .following }
            // The notification of lyon's create may still be on its way and clear what the
            // first pull remembers: pull again until a check is answered from memory.
            let first = try await sophia.client.get("v1/vpxis/seg/chains/alice")
            XCTAssertEqual(first.status, 200)
            var answeredFromMemory = false
            for _ in 0..<20 where !answeredFromMemory {
                let check = try await sophia.client.get("v1/vpxis/seg/chains/alice", ifNoneMatch: first.etag)
                XCTAssertEqual(check.status, 304)
                answeredFromMemory = Self.memoryChecks(sophia.service.metrics.text()) > 0
                if !answeredFromMemory { try await Task.sleep(for: .milliseconds(100)) }
            }
            XCTAssertTrue(answeredFromMemory, sophia.service.metrics.text())
            XCTAssertEqual(sophia.service.etags.etag(vpxi: "seg", "chains\u{0}seg\u{0}alice"), first.etag)

            // Lyon adds erin: alice's chains change; sophia forgets them within the
            // notification's delay (her memory would otherwise trust them for 10 s).
            let changed = ContinuousClock.now
            let added = try await lyon.client.post("v1/vpxis/seg/users", op: "add-user", arguments: [["vpxi", "seg"], ["user", "erin"], ["rights", "ssh"]],
                                                   key: try RegistrarFixture.corpusKey("alice"), time: RegistrarFixture.now)
            XCTAssertEqual(added.status, 200, added.text)
            try await waitUntil("sophia forgets seg") { sophia.service.etags.etag(vpxi: "seg", "chains\u{0}seg\u{0}alice") == nil }
            XCTAssertLessThan(ContinuousClock.now - changed, .seconds(8))
            let after = try await sophia.client.get("v1/vpxis/seg/chains/alice", ifNoneMatch: first.etag)
            XCTAssertEqual(after.status, 200, "the new chains, not a 304")
            XCTAssertNotEqual(after.etag, first.etag)
        }
    }

    /// The count of ETag checks answered from memory, from the Prometheus text.
    static func memoryChecks(_ metrics: String) -> Int {
        let prefix = "registrar_pull_etag_checks_total{source=\"memory\"} "
        guard let line = metrics.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return 0 }
        return Int(line.dropFirst(prefix.count)) ?? 0
    }

    func waitUntil(_ what: String, timeout: Duration = .seconds(8), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { return XCTFail("timed out: \(what)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A renewal pass renews several vpxis at once, each once, on SQLite.
    func testRenewalPassRenewsEveryVPXIOnce() async throws {
        try await withClockedLyon(slots: 5, configure: { $0.renewalWidth = 3 }) { service, database, clock, start, keys in
            var etags: [String: String] = [:]
            for name in ["v1", "v2", "v3", "v4", "v5"] {
                _ = try await service.handle(Array(try RequestSigner.sign(
                    op: "create-vpxi", arguments: [["policy", .string(RegistrarFixture.fragment(name, machines: 1, now: start))]],
                    key: try RegistrarFixture.corpusKey("alice"), time: start).advanced(width: 0).utf8))
                etags[name] = try await service.chains(vpxi: name, user: "alice", ifNoneMatch: nil).etag
            }
            clock.set(start - 600 + 3600 - 60)
            let renewed = try await service.renewDue()
            XCTAssertEqual(renewed, 5)
            let again = try await service.renewDue()
            XCTAssertEqual(again, 0, "issued once")
            for name in etags.keys.sorted() {
                let status = try await service.status(vpxi: name)
                XCTAssertEqual(status.first("epoch")?.tail.first?.text, "1", name)
                let pulled = try await service.chains(vpxi: name, user: "alice", ifNoneMatch: etags[name])
                XCTAssertNotNil(pulled.body, "\(name): the renewed chains, not a 304 from memory")
            }
            let bundles = try await database.read("SELECT COUNT(*) AS n FROM bundles WHERE epoch = 1", [])
            XCTAssertEqual(bundles.first?["n"].int, 5)
        }
    }
}
