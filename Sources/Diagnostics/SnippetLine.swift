import ToolSupport

/// A source line as a snippet shows it: every character that a terminal would act
/// on rather than print is made visible, and a line too long for a terminal is cut
/// to a window around the range, so that the caret still lines up under it.
///
/// - C0 controls (other than tab, kept so that the caret follows the same tab
///   stops) show as their Control Pictures (`ESC` as `␛`, NUL as `␀`), DEL as `␡`;
/// - C1 controls, bidirectional overrides, embeddings and isolates (the "Trojan
///   Source" characters) and zero-width characters show as `<U+XXXX>`;
/// - invalid UTF-8 shows as U+FFFD, as the file's other readers see it.
///
/// So printing a diagnostic about a hostile or binary file cannot move the
/// cursor, change colours, retitle the terminal or reorder what is shown.
struct SnippetLine {
    /// The longest line shown whole, in display columns.
    static let maximumWidth = 160
    /// Columns kept before the range when a long line is cut.
    static let leadingContext = 60

    /// What to print after the gutter (without the line's terminator).
    let text: String
    /// What to print before the carets: a space per column, tabs kept.
    let caretIndent: String
    /// Carets under the range (at least one).
    let caretWidth: Int

    /// The line whose bytes are `line`, with the range `range` (byte offsets into
    /// the same array as `line`, clamped to the line).
    init(bytes: [UInt8], line: Range<Int>, range: Range<Int>) {
        var before = Self.units(bytes[line.lowerBound..<range.lowerBound])
        var inside = Self.units(bytes[range.lowerBound..<range.upperBound])
        var after = Self.units(bytes[range.upperBound..<line.upperBound])
        let total = (before + inside + after).reduce(0) { $0 + $1.unicodeScalars.count }
        var leadingMark = "", trailingMark = ""
        if total > Self.maximumWidth {
            // Keep the end of what precedes the range, the range itself up to what
            // fits, and the start of what follows.
            var kept = 0
            var start = before.count
            while start > 0, kept + before[start - 1].unicodeScalars.count <= Self.leadingContext {
                start -= 1
                kept += before[start].unicodeScalars.count
            }
            if start > 0 { before = Array(before[start...]); leadingMark = "..." }
            let room = Self.maximumWidth - kept
            var insideWidth = 0
            var insideEnd = 0
            while insideEnd < inside.count, insideWidth + inside[insideEnd].unicodeScalars.count <= room {
                insideWidth += inside[insideEnd].unicodeScalars.count
                insideEnd += 1
            }
            if insideEnd < inside.count { inside = Array(inside[..<insideEnd]); after = []; trailingMark = "..." }
            var afterWidth = 0
            var afterEnd = 0
            while afterEnd < after.count, kept + insideWidth + afterWidth + after[afterEnd].unicodeScalars.count <= Self.maximumWidth {
                afterWidth += after[afterEnd].unicodeScalars.count
                afterEnd += 1
            }
            if afterEnd < after.count { after = Array(after[..<afterEnd]); trailingMark = "..." }
        }
        text = leadingMark + (before + inside + after).joined() + trailingMark
        caretIndent = String(repeating: " ", count: leadingMark.count)
            + before.map { $0 == "\t" ? "\t" : String(repeating: " ", count: $0.unicodeScalars.count) }.joined()
        caretWidth = max(1, inside.reduce(0) { $0 + $1.unicodeScalars.count })
    }

    /// One display string per Unicode scalar of `bytes`.
    static func units(_ bytes: ArraySlice<UInt8>) -> [String] {
        String(decoding: bytes, as: UTF8.self).unicodeScalars.map(visible)
    }

    /// How one scalar is shown (`TerminalText`).
    static func visible(_ scalar: Unicode.Scalar) -> String {
        TerminalText.visible(scalar) ?? String(scalar)
    }
}
