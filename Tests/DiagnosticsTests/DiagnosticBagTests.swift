import XCTest
@testable import Diagnostics

final class DiagnosticBagTests: XCTestCase {
    private func error(_ offset: UInt32) -> Diagnostic {
        Diagnostic(code: DiagnosticCode("E0001"), message: "m", range: SourceRange(file: FileID(rawValue: 0), at: offset))
    }

    func testCapsErrorsButKeepsWarnings() {
        var bag = DiagnosticBag(errorLimit: 2)
        bag.add(error(1))
        bag.add(error(2))
        XCTAssertTrue(bag.isFull)
        bag.add(error(3))
        var warning = error(4)
        warning.severity = .warning
        bag.add(warning)
        XCTAssertEqual(bag.diagnostics.count, 3)
        XCTAssertEqual(bag.errorCount, 2)
        XCTAssertEqual(bag.droppedErrors, 1)
    }

    func testSortsByLocationStably() {
        var late = error(9)
        late.message = "late"
        var first = error(1)
        first.message = "first"
        var second = error(1)
        second.message = "second"
        XCTAssertEqual([late, first, second].sortedByLocation().map(\.message), ["first", "second", "late"])
    }
}
