import XCTest
@testable import PolicyCompiler

final class RenewalScheduleTests: XCTestCase {
    let hour: Int64 = 3600

    func testEpochsCoverTheWindowAndOverlap() {
        let window = TimeWindow(start: 0, end: 100 * hour)
        let schedule = RenewalSchedule(window: window, lifetime: 36 * hour, renewal: 12 * hour)
        XCTAssertEqual(schedule.count, 9)  // starts 0, 12, ..., 96
        let epochs = schedule.epochs
        XCTAssertEqual(epochs.first?.validity, TimeWindow(start: 0, end: 36 * hour))
        XCTAssertEqual(epochs.last?.start, 96 * hour)
        XCTAssertEqual(epochs.last?.validity.end, 100 * hour, "cut at the end of the window")
        for (a, b) in zip(epochs, epochs.dropFirst()) {
            XCTAssertEqual(b.start - a.start, 12 * hour)
            XCTAssertGreaterThan(a.validity.end, b.start, "consecutive epochs overlap")
        }
    }

    func testTheEpochInForce() {
        let schedule = RenewalSchedule(window: TimeWindow(start: 1000, end: 1000 + 48 * hour), lifetime: 24 * hour, renewal: 8 * hour)
        XCTAssertEqual(schedule.epoch(at: 0)?.index, 0, "before the window: the first")
        XCTAssertEqual(schedule.epoch(at: 1000)?.index, 0)
        XCTAssertEqual(schedule.epoch(at: 1000 + 8 * hour - 1)?.index, 0)
        XCTAssertEqual(schedule.epoch(at: 1000 + 8 * hour)?.index, 1)
        XCTAssertEqual(schedule.epoch(at: 1000 + 100 * hour)?.index, 5, "after the window: the last")
        XCTAssertNil(RenewalSchedule(window: TimeWindow(start: 5, end: 5), lifetime: 1, renewal: 1).epoch(at: 5))
    }

    func testDurationsAreWrittenAsInPolicies() {
        XCTAssertEqual(DurationText.format(36 * hour), "36h")
        XCTAssertEqual(DurationText.format(48 * hour), "2d")
        XCTAssertEqual(DurationText.format(14 * 86_400), "2w")
        XCTAssertEqual(DurationText.format(90 * 60), "90min")
        XCTAssertEqual(DurationText.format(45), "45s")
    }
}
