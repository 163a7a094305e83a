import Diagnostics
import Lint
import XCTest

final class FixApplierTests: XCTestCase {
    private let file = FileID(rawValue: 0)

    private func finding(_ start: UInt32, _ end: UInt32, _ text: String, code: String = "x") -> Diagnostic {
        let range = SourceRange(file: file, start: start, end: end)
        return Diagnostic(code: DiagnosticCode(code), message: "m", range: range, fixIts: [.replace(range, with: text, "fix")])
    }

    func testNonOverlappingEditsApplyTogether() {
        let bytes = Array("abcdef".utf8)
        let result = FixApplier.apply([finding(0, 1, "A"), finding(3, 3, "+"), finding(4, 6, "EF!")], to: bytes, file: file)
        XCTAssertEqual(String(decoding: result.bytes, as: UTF8.self), "Abc+dEF!")
        XCTAssertEqual(result.applied.count, 3)
        XCTAssertEqual(result.deferred.count, 0)
    }

    func testOverlapsAndWholeFileRewritesWait() {
        let bytes = Array("abcdef".utf8)
        let whole = finding(0, 6, "formatted", code: "format-drift")
        // (2, 4) overlaps (1, 3); the insertion at 3 touches its end.
        let result = FixApplier.apply([whole, finding(1, 3, "X"), finding(2, 4, "Y"), finding(3, 3, "!"), finding(5, 5, "+")], to: bytes, file: file)
        XCTAssertEqual(String(decoding: result.bytes, as: UTF8.self), "aXde+f")
        XCTAssertEqual(result.deferred.map(\.code.rawValue).sorted(), ["format-drift", "x", "x"])
        let alone = FixApplier.apply([whole], to: bytes, file: file)
        XCTAssertEqual(String(decoding: alone.bytes, as: UTF8.self), "formatted")
    }

    func testFindingsWithoutFixItsAreIgnored() {
        let bytes = Array("abc".utf8)
        let plain = Diagnostic(code: DiagnosticCode("x"), message: "m", range: SourceRange(file: file, start: 0, end: 1))
        let result = FixApplier.apply([plain], to: bytes, file: file)
        XCTAssertEqual(result.bytes, bytes)
        XCTAssertEqual(result.applied.count, 0)
    }
}
