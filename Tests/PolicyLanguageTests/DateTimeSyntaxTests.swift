import XCTest
@testable import PolicyLanguage

final class DateTimeSyntaxTests: XCTestCase {
    private func parse(_ text: String) -> Result<(Int64, Int16), DateTimeSyntax.Problem> {
        Array(text.utf8).withUnsafeBufferPointer { DateTimeSyntax.parse($0) }
    }

    private func seconds(_ text: String) -> Int64? {
        if case .success(let value) = parse(text) { return value.0 }
        return nil
    }

    func testRFC3339Forms() {
        XCTAssertEqual(seconds("1970-01-01T00:00:00Z"), 0)
        XCTAssertEqual(seconds("2026-12-01T08:00Z"), 1_796_112_000)
        XCTAssertEqual(seconds("2026-12-01T09:00:00+01:00"), 1_796_112_000)
        XCTAssertEqual(seconds("2026-12-01T07:30:00.25-00:30"), 1_796_112_000)
        XCTAssertEqual(seconds("2026-12-01"), 1_796_083_200)
        XCTAssertEqual(seconds("2024-02-29T00:00Z"), 1_709_164_800)
    }

    func testRejections() {
        for bad in ["2026-13-01T00:00Z", "2026-02-29T00:00Z", "2026-12-01T24:00Z", "2026-12-01T08:00",
                    "2026-12-01T08:00Zx", "2026-12-1", "2026-12-01X08:00Z", "2026-12-01T08:00+1"] {
            XCTAssertNil(seconds(bad), bad)
        }
    }
}
