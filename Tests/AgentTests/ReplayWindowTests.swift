import Agent
import XCTest

final class ReplayWindowTests: XCTestCase {
    func testInOrderDuplicatesAndOld() {
        var window = ReplayWindow(size: 64)
        XCTAssertFalse(window.check(0), "sequence 0 is never valid")
        for s: UInt64 in 1...100 {
            XCTAssertTrue(window.check(s))
            window.accept(s)
            XCTAssertFalse(window.check(s), "duplicate \(s)")
        }
        XCTAssertFalse(window.check(36), "left of the window (100 - 64)")
        XCTAssertFalse(window.check(37), "seen")
    }

    func testOutOfOrderWithinWindow() {
        var window = ReplayWindow(size: 64)
        window.accept(200)
        XCTAssertTrue(window.check(137))
        XCTAssertFalse(window.check(136))
        window.accept(150)
        XCTAssertFalse(window.check(150))
        XCTAssertTrue(window.check(151))
        window.accept(300)  // a jump larger than the window clears it
        XCTAssertFalse(window.check(200))
        XCTAssertTrue(window.check(299))
    }

    func testConfigurableSize() {
        var small = ReplayWindow(size: 4)
        small.accept(10)
        XCTAssertTrue(small.check(7))
        XCTAssertFalse(small.check(6))
        var large = ReplayWindow(size: 1024)
        large.accept(2000)
        XCTAssertTrue(large.check(977))
        XCTAssertFalse(large.check(976))
    }

    /// RFC 4303 appendix A.2: the high half is inferred across the 2^32 boundary.
    func testExtendedSequenceInference() {
        var window = ReplayWindow(size: 64)
        window.accept(0xFFFF_FFF0)
        XCTAssertEqual(window.infer(low: 0xFFFF_FFF5), 0xFFFF_FFF5)
        XCTAssertEqual(window.infer(low: 3), 0x1_0000_0003, "wrapped into the next subspace")
        window.accept(0x1_0000_0003)
        XCTAssertEqual(window.infer(low: 0xFFFF_FFF8), 0xFFFF_FFF8, "late packet from the previous subspace")
        XCTAssertTrue(window.check(0xFFFF_FFF8))
        XCTAssertFalse(window.check(0xFFFF_FFF0), "seen before the wrap")
        XCTAssertEqual(window.infer(low: 10), 0x1_0000_000A)
        let plain = ReplayWindow(size: 64, extended: false)
        XCTAssertEqual(plain.infer(low: 7), 7)
        XCTAssertEqual(ReplayWindow(size: 64).infer(low: 0xFFFF_FFFF), 0xFFFF_FFFF, "no subspace below 0")
    }
}
