import XCTest
@testable import Diagnostics

/// Snippets never hand a terminal a control character, bidirectional override or
/// an endless line, and the caret still sits under the range.
final class SnippetLineTests: XCTestCase {
    private func render(_ text: [UInt8], range: Range<Int>, message: String = "m") -> String {
        var sources = SourceManager()
        let file = sources.add(name: "t.vp", bytes: text)
        let diagnostic = Diagnostic(code: DiagnosticCode("E0010"), message: message,
                                    range: SourceRange(file: file.id, start: UInt32(range.lowerBound), end: UInt32(range.upperBound)))
        return HumanRenderer(colour: false).render([diagnostic], sources: sources)
    }

    private func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t" && scalar != "\n") || (0x7F...0x9F).contains(scalar.value)
            || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }

    func testEscapeSequencesAreShownNotSent() {
        let line = Array("host \u{1B}]0;owned\u{07}\u{1B}[2J x\n".utf8)
        let x = line.firstIndex(of: UInt8(ascii: "x"))!
        let rendered = render(line, range: x..<(x + 1), message: "found `\u{1B}[31m`")
        XCTAssertFalse(rendered.unicodeScalars.contains(where: isControl), rendered)
        XCTAssertTrue(rendered.contains("1 | host \u{241B}]0;owned\u{2407}\u{241B}[2J x\n"), rendered)
        XCTAssertTrue(rendered.contains("found `\u{241B}[31m`"), "the message is cleaned too: \(rendered)")
        XCTAssertTrue(rendered.contains("  | " + String(repeating: " ", count: 20) + "^\n"), rendered)
    }

    func testBidirectionalOverridesAreNamed() {
        let line = Array("user a\u{202E}b\u{2066} c\n".utf8)
        let c = line.firstIndex(of: UInt8(ascii: "c"))!
        let rendered = render(line, range: c..<(c + 1))
        XCTAssertTrue(rendered.contains("1 | user a<U+202E>b<U+2066> c\n"), rendered)
        XCTAssertTrue(rendered.contains("  | " + String(repeating: " ", count: 24) + "^\n"), rendered)
    }

    func testInvalidUTF8ShowsAsReplacement() {
        let rendered = render([0x61, 0xFF, 0xFE, 0x62, 0x0A], range: 3..<4)
        XCTAssertTrue(rendered.contains("1 | a\u{FFFD}\u{FFFD}b\n"), rendered)
        XCTAssertTrue(rendered.contains("  |    ^\n"), rendered)
    }

    func testLongLinesAreCutAroundTheRange() {
        let line = Array((String(repeating: "a", count: 300) + " token " + String(repeating: "b", count: 300) + "\n").utf8)
        let rendered = render(line, range: 301..<306)
        let shown = rendered.split(separator: "\n").first { $0.hasPrefix("1 | ") }!.dropFirst(4)
        XCTAssertLessThanOrEqual(shown.count, SnippetLine.maximumWidth + 6)
        XCTAssertTrue(shown.hasPrefix("..."), String(shown))
        XCTAssertTrue(shown.hasSuffix("..."), String(shown))
        let caretLine = rendered.split(separator: "\n").first { $0.contains("^") }!.dropFirst(4)
        let column = caretLine.firstIndex(of: "^")!
        XCTAssertEqual(String(shown[shown.index(shown.startIndex, offsetBy: caretLine.distance(from: caretLine.startIndex, to: column))...].prefix(5)), "token")
    }

    /// Over random lines (ASCII, tabs, controls, bidi, multi-byte, invalid bytes,
    /// short and long): nothing a terminal acts on is printed, and the carets are
    /// under the range's own display (when the range fits).
    func testCaretAlignmentAndCleanlinessOnRandomLines() {
        var generator = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [
            Array("a".utf8), Array("z".utf8), Array(" ".utf8), [0x09], [0x1B], [0x00], [0x7F], Array("é".utf8),
            Array("日".utf8), Array("\u{202E}".utf8), Array("\u{0085}".utf8), Array("\u{200B}".utf8), [0xFF], Array("😀".utf8),
        ]
        for _ in 0..<500 {
            func piece() -> [UInt8] { pieces.randomElement(using: &generator)! }
            let lengths = (Int.random(in: 0...200, using: &generator), Int.random(in: 1...30, using: &generator), Int.random(in: 0...200, using: &generator))
            let before = (0..<lengths.0).flatMap { _ in piece() }
            let inside = (0..<lengths.1).flatMap { _ in Array("x".utf8) + piece() }
            let after = (0..<lengths.2).flatMap { _ in piece() }
            let bytes = before + inside + after
            let shown = SnippetLine(bytes: bytes, line: 0..<bytes.count, range: before.count..<(before.count + inside.count))
            XCTAssertFalse(shown.text.unicodeScalars.contains(where: isControl))
            XCTAssertFalse(shown.caretIndent.unicodeScalars.contains { $0 != " " && $0 != "\t" })
            let text = Array(shown.text.unicodeScalars)
            let start = shown.caretIndent.unicodeScalars.count
            let expected = Array(SnippetLine.units(inside[...]).joined().unicodeScalars)
            let end = min(text.count, start + shown.caretWidth)
            XCTAssertEqual(Array(text[start..<end]), Array(expected.prefix(end - start)), "the carets are under the range")
            XCTAssertLessThanOrEqual(text.count, SnippetLine.maximumWidth + 6)
        }
    }
}
