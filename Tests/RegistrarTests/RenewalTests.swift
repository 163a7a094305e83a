import Foundation
import Registrar
import RSA
import SExpr
import TestSupport
import XCTest

/// A clock the test moves.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64

    init(_ value: Int64) { self.value = value }

    var now: Int64 {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func set(_ time: Int64) {
        lock.lock()
        value = time
        lock.unlock()
    }
}

/// Renewal per epoch, and the paper's robustness: a registrar down for less than
/// (lifetime − renewal period) interrupts nobody.
final class RenewalTests: RegistrarScratchTestCase {

    func testRenewalAndOutage() async throws {
        try await withClockedLyon(slots: 2) { service, database, clock, start, keys in
            // Window from start - 600 s; certs valid 2 h, renewed every hour.
            let created = try await service.handle(Array(try RequestSigner.sign(
                op: "create-vpxi", arguments: [["policy", .string(RegistrarFixture.fragment("seg", machines: 1, now: start, lifetime: "2h", renewal: "1h"))]],
                key: try RegistrarFixture.corpusKey("alice"), time: start).advanced(width: 0).utf8))
            XCTAssertEqual(created.first("epoch")?.tail.first?.text, "0")
            let epoch0 = try await service.chains(vpxi: "seg", user: "alice", ifNoneMatch: nil)
            let windowStart = start - 600
            let epoch1Start = windowStart + 3600

            // Nothing is due long before the next epoch; an unchanged chain answers 304.
            let early = try await service.renewDue()
            XCTAssertEqual(early, 0)
            let unchanged = try await service.chains(vpxi: "seg", user: "alice", ifNoneMatch: epoch0.etag).body
            XCTAssertNil(unchanged)

            // The registrar is down from now until 50 minutes into epoch 1: the chain of
            // epoch 0 still reduces then (lifetime − renewal = 1 h), not after.
            let document0 = try SExpr.parse(try XCTUnwrap(epoch0.body))
            XCTAssertEqual(try RegistrarFixture.reduce(directory, document0, subject: FlowTests.pub("alice"), at: epoch1Start + 50 * 60), ["node[1]"])
            XCTAssertEqual(try RegistrarFixture.reduce(directory, document0, subject: FlowTests.pub("alice"), at: epoch1Start + 3600 + 60), [])

            // Back up at that time: the epoch in force is issued at once.
            clock.set(epoch1Start + 50 * 60)
            let caughtUp = try await service.renewDue()
            XCTAssertEqual(caughtUp, 1)
            let again = try await service.renewDue()
            XCTAssertEqual(again, 0, "issued once")
            let epoch1 = try await service.chains(vpxi: "seg", user: "alice", ifNoneMatch: epoch0.etag)
            let body1 = try XCTUnwrap(epoch1.body, "a renewed chain has a new ETag")
            XCTAssertNotEqual(epoch1.etag, epoch0.etag)
            let document1 = try SExpr.parse(body1)
            XCTAssertEqual(document1.first("epoch")?.tail.first?.text, "1")
            XCTAssertEqual(try RegistrarFixture.reduce(directory, document1, subject: FlowTests.pub("alice"), at: epoch1Start + 3600 + 60), ["node[1]"])

            // Ahead of epoch 2 by less than the advance (5 min), it is issued before it starts.
            clock.set(epoch1Start + 3600 - 120)
            let ahead = try await service.renewDue()
            XCTAssertEqual(ahead, 1)
            let status = try await service.status(vpxi: "seg")
            XCTAssertEqual(status.first("epoch")?.tail.first?.text, "2")
            let issued = try await database.read("SELECT COUNT(DISTINCT epoch) AS n FROM certs WHERE vpxi = 'seg'", [])
            XCTAssertEqual(issued.first?["n"].int, 3, "every epoch's certs stay on record")
        }
    }
}
