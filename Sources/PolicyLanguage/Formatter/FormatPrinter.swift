import Diagnostics

/// Lays out `FormatItem`s: two-space indentation, one space between tokens, a
/// block on one line when it was written on one line without comments, else one
/// line per group of items that shared a source line. Comments are kept: a comment
/// after code on its line stays there; any other comment gets a line of its own
/// before the code it preceded (or sat inside). Blank lines between items are kept,
/// at most one.
struct FormatPrinter {
    let source: SourceFile
    let comments: [SourceRange]
    private let lines: LineLookup
    private var nextComment = 0
    private var out: [UInt8] = []
    private var lastLine = -1
    private var atBlockStart = true
    private var indent = 0

    init(source: SourceFile, comments: [SourceRange]) {
        self.source = source
        self.comments = comments
        self.lines = LineLookup(source.lineStarts)
        out.reserveCapacity(source.bytes.count + source.bytes.count / 8)
    }

    mutating func print(_ items: [FormatItem]) -> [UInt8] {
        printItems(items, grouping: false)
        emitComments(before: UInt32.max, anchor: UInt32.max)
        return out
    }

    private func line(_ offset: UInt32) -> Int { lines.line(of: offset) }

    private func isMultiLine(_ item: FormatItem) -> Bool {
        guard case .block(_, let children, let body, _) = item else { return false }
        return line(body.start) != line(body.end &- 1) || hasComment(in: body) || children.contains(where: isMultiLine)
    }

    private func hasComment(in range: SourceRange) -> Bool {
        var low = 0
        var high = comments.count
        while low < high {
            let mid = (low + high) / 2
            if comments[mid].start < range.start { low = mid + 1 } else { high = mid }
        }
        return low < comments.count && comments[low].start < range.end
    }

    private mutating func append(_ text: String) {
        out.append(contentsOf: text.utf8)
    }

    /// Starts an output line for an element that starts at `sourceStart`.
    private mutating func startLine(_ sourceStart: UInt32) {
        if !atBlockStart, lastLine >= 0, line(sourceStart) > lastLine + 1 { out.append(0x0A) }
        atBlockStart = false
        for _ in 0..<indent { out.append(0x20); out.append(0x20) }
    }

    /// Ends the output line of an element that ends at `sourceEnd`, taking along a
    /// comment written after it on the same source line.
    private mutating func finishLine(_ sourceEnd: UInt32) {
        let endLine = line(sourceEnd)
        if nextComment < comments.count, comments[nextComment].start >= sourceEnd,
           line(comments[nextComment].start) == endLine {
            append("  ")
            appendComment(comments[nextComment])
            nextComment += 1
        }
        out.append(0x0A)
        lastLine = endLine
    }

    private mutating func appendComment(_ comment: SourceRange) {
        var end = Int(comment.end)
        while end > Int(comment.start), source.bytes[end - 1] == 0x20 || source.bytes[end - 1] == 0x09 { end -= 1 }
        out.append(contentsOf: source.bytes[Int(comment.start)..<end])
    }

    /// Emits, each on its own line, the comments that start before `limit`. For
    /// blank-line decisions a comment counts as starting no later than `anchor`.
    private mutating func emitComments(before limit: UInt32, anchor: UInt32) {
        while nextComment < comments.count, comments[nextComment].start < limit {
            let comment = comments[nextComment]
            startLine(min(comment.start, anchor))
            appendComment(comment)
            out.append(0x0A)
            lastLine = max(lastLine, line(comment.start))
            nextComment += 1
        }
    }

    private func singleLine(_ item: FormatItem) -> String {
        switch item {
        case .line(let text, _):
            return text
        case .block(let header, let children, _, _):
            if children.isEmpty { return header + " {}" }
            return header + " { " + children.map(singleLine).joined(separator: " ") + " }"
        }
    }

    private mutating func printItems(_ items: [FormatItem], grouping: Bool) {
        var index = 0
        while index < items.count {
            let first = items[index]
            if isMultiLine(first) {
                printMultiLine(first)
                index += 1
                continue
            }
            var last = index
            while grouping, last + 1 < items.count, !isMultiLine(items[last + 1]),
                  line(items[last + 1].range.start) == line(items[last].range.end) {
                last += 1
            }
            emitComments(before: items[last].range.end, anchor: first.range.start)
            startLine(first.range.start)
            append(items[index...last].map(singleLine).joined(separator: " "))
            finishLine(items[last].range.end)
            index = last + 1
        }
    }

    private mutating func printMultiLine(_ item: FormatItem) {
        guard case .block(let header, let children, let body, let range) = item else { return }
        emitComments(before: body.start, anchor: range.start)
        startLine(range.start)
        append(header + " {")
        finishLine(body.start + 1)
        indent += 1
        atBlockStart = true
        printItems(children, grouping: true)
        let close = body.end &- 1
        emitComments(before: close, anchor: close)
        indent -= 1
        atBlockStart = true
        startLine(close)
        append("}")
        finishLine(body.end)
    }
}
