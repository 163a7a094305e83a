import XCTest
@testable import PolicyLanguage

final class FormatDiffTests: XCTestCase {
    private func lines(_ text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    func testEqualTextsHaveNoSummary() {
        XCTAssertNil(FormatDiff.summary(original: "a\nb\n", formatted: "a\nb\n", name: "p.vp"))
    }

    func testSeparateChangesGiveSeparateHunks() {
        let old = (1...20).map { "line \($0)" }.joined(separator: "\n")
        var newLines = (1...20).map { "line \($0)" }
        newLines[2] = "LINE 3"
        newLines[15] = "LINE 16"
        newLines.insert("inserted", at: 10)
        let summary = FormatDiff.summary(original: old, formatted: newLines.joined(separator: "\n"), name: "p.vp")
        XCTAssertEqual(summary, """
            --- p.vp
            +++ p.vp (formatted)
            @@ -3,1 +3,1 @@
            -line 3
            +LINE 3
            @@ -11,0 +11,1 @@
            +inserted
            @@ -16,1 +17,1 @@
            -line 16
            +LINE 16

            """)
    }

    func testHunksCoverEveryDifference() {
        let a = lines("a\nb\nc\nd\ne\nf")
        let b = lines("a\nx\nc\ne\nf\ng")
        let hunks = FormatDiff.hunks(a, b)
        // Applying the hunks to `a` gives `b`.
        var result: [Substring] = []
        var position = 0
        for hunk in hunks {
            result += a[position..<hunk.old.lowerBound]
            result += b[hunk.new]
            position = hunk.old.upperBound
        }
        result += a[position...]
        XCTAssertEqual(result, b)
    }

    func testLongSummariesAreCut() {
        let old = (1...100).map { "a\($0)" }.joined(separator: "\n")
        let new = (1...100).map { "b\($0)" }.joined(separator: "\n")
        let summary = FormatDiff.summary(original: old, formatted: new, name: "p.vp", maxLines: 10) ?? ""
        XCTAssertTrue(summary.hasSuffix("... (190 more changed lines)\n"), summary)
    }
}
