import XCTest
@testable import Diagnostics

final class SourceFileTests: XCTestCase {
    func testLinesAndByteColumns() {
        var sources = SourceManager()
        let file = sources.add(name: "a.vp", text: "ab\ncdé f\n\nlast")
        XCTAssertEqual(file.lineCount, 4)
        XCTAssertEqual(file.location(of: 0), SourceLocation(line: 1, column: 1))
        XCTAssertEqual(file.location(of: 3), SourceLocation(line: 2, column: 1))
        // `é` is two bytes: the byte column of `f` is 6, its code-point column 5.
        XCTAssertEqual(file.location(of: 8), SourceLocation(line: 2, column: 6))
        XCTAssertEqual(file.scalarColumn(of: 8), 5)
        XCTAssertEqual(file.location(of: 11), SourceLocation(line: 4, column: 1))
        XCTAssertEqual(file.lineText(1), "cdé f")
        XCTAssertEqual(file.lineText(2), "")
    }

    func testCarriageReturnsAreNotPartOfLines() {
        var sources = SourceManager()
        let file = sources.add(name: "crlf.vp", text: "one\r\ntwo\r\n")
        XCTAssertEqual(file.lineText(0), "one")
        XCTAssertEqual(file.lineText(1), "two")
        XCTAssertEqual(file.location(of: 5), SourceLocation(line: 2, column: 1))
    }

    func testEndOfFileLocation() {
        var sources = SourceManager()
        let file = sources.add(name: "e.vp", text: "x\n")
        XCTAssertEqual(file.location(of: 2), SourceLocation(line: 2, column: 1))
        XCTAssertEqual(sources.describe(SourceRange(file: file.id, at: 0)), "e.vp:1:1")
    }

    func testRangesOrderAndUnion() {
        let file = FileID(rawValue: 0)
        let a = SourceRange(file: file, start: 2, end: 5)
        let b = SourceRange(file: file, start: 4, end: 9)
        XCTAssertLessThan(a, b)
        XCTAssertEqual(a.union(b), SourceRange(file: file, start: 2, end: 9))
        XCTAssertEqual(SourceRange(file: file, start: 7, end: 3).length, 0)
    }
}
