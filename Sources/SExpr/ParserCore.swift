/// The parser's state and its main loop. Canonical syntax is the hot path; advanced and
/// transport syntax are handled by the extensions in `ParserCore+Advanced.swift`.
struct ParserCore {
    typealias Node = SExprDocument.Node
    typealias Kind = SExprDocument.Kind

    let source: [UInt8]
    let options: Options
    var nodes: [Node] = []
    var hints: [SExprDocument.Hint] = []
    var decoded: [UInt8] = []
    /// Indices of the open lists, innermost last.
    var stack: [UInt32] = []
    var rootCount = 0
    /// Index into `hints` of a hint waiting for its string, or -1.
    var pendingHint = -1
    var pendingHintOffset = 0
    /// When parsing the body of a transport block: where the block starts in the input.
    var transportOffset: Int? = nil

    typealias Options = SExprParser.Options

    init(source: [UInt8], options: Options) {
        self.source = source
        self.options = options
        nodes.reserveCapacity(max(16, source.count / 8))
        stack.reserveCapacity(64)
    }

    // MARK: Top level

    mutating func parseTopLevel(_ p: UnsafeBufferPointer<UInt8>) throws(SExprError) {
        let completed = try parseRegion(p, from: 0, to: p.count, decodedBase: nil)
        rootCount = completed
        if completed == 0 {
            throw error(.emptyInput, at: p.count, expected: "an S-expression",
                        found: p.isEmpty ? "empty input" : "only whitespace and comments",
                        message: p.isEmpty ? "the input is empty: expected an S-expression"
                            : "the input holds no S-expression, only whitespace and comments")
        }
    }

    /// Parses `p[from..<to]`, returning how many complete expressions it produced at the
    /// nesting depth it started at. `decodedBase` is set when `p` is a transport body
    /// copied into `decoded` at that offset: then only canonical syntax is allowed.
    mutating func parseRegion(_ p: UnsafeBufferPointer<UInt8>, from: Int, to end: Int, decodedBase: Int?) throws(SExprError) -> Int {
        let baseDepth = stack.count
        let canonicalOnly = options.canonicalOnly || decodedBase != nil
        let atomKind: UInt32 = decodedBase == nil ? 0 : Kind.decoded
        let offsetBase = decodedBase ?? 0
        var completed = 0
        var i = from
        while i < end {
            let c = p[i]
            if c &- 0x30 < 10 {
                // A length: `<n>:` verbatim, or `<n>"..."`, `<n>#..#`, `<n>|..|`.
                let (length, afterDigits) = try readLength(p, at: i, end: end)
                let marker = p[afterDigits]
                if marker == 0x3A {  // ':'
                    let start = afterDigits + 1
                    guard length <= end - start else {
                        throw error(.lengthPastEnd, at: i, expected: "\(length) bytes", found: "\(end - start) bytes",
                                    message: "length \(length) at offset \(i) runs past the end of the input (\(end - start) bytes left)")
                    }
                    addAtom(offset: offsetBase + start, length: length, kind: atomKind)
                    i = start + length
                } else if canonicalOnly {
                    throw error(.badLength, at: afterDigits, expected: "`:` after the length", found: describe(p, afterDigits, end),
                                message: "expected `:` after length \(length), found \(describe(p, afterDigits, end))")
                } else {
                    i = try parseSizedString(p, at: afterDigits, end: end, declared: length, lengthOffset: i)
                }
                if stack.count == baseDepth { completed += 1 }
                continue
            }
            switch c {
            case 0x28:  // '('
                if pendingHint >= 0 { throw hintNotFollowedByString(p, at: i, end: end) }
                guard stack.count < options.maxDepth else {
                    throw error(.depthExceeded, at: i, expected: "at most \(options.maxDepth) nested lists", found: "a deeper list",
                                message: "lists are nested deeper than the limit of \(options.maxDepth)")
                }
                if let parent = stack.last { nodes[Int(parent)].length &+= 1 }
                stack.append(UInt32(nodes.count))
                nodes.append(Node(offset: UInt32(transportOffset ?? i), length: 0, link: 0, kind: Kind.list))
                i += 1
            case 0x29:  // ')'
                if pendingHint >= 0 { throw hintNotFollowedByString(p, at: i, end: end) }
                guard stack.count > baseDepth else {
                    throw error(.unbalancedClose, at: i, expected: "an expression", found: "`)`",
                                message: "unbalanced `)`: there is no open list to close")
                }
                let open = Int(stack.removeLast())
                nodes[open].link = UInt32(nodes.count)
                if stack.count == baseDepth { completed += 1 }
                i += 1
            case 0x5B:  // '['
                if pendingHint >= 0 {
                    throw error(.badHint, at: i, expected: "a string after the display hint", found: "another display hint",
                                message: "a display hint must be followed by a string, found another hint")
                }
                i = try parseHint(p, at: i, end: end, canonicalOnly: canonicalOnly, offsetBase: offsetBase, atomKind: atomKind)
            default:
                if canonicalOnly {
                    throw error(.notCanonical, at: i, expected: "`(`, `)`, `[` or a length", found: describe(p, i, end),
                                message: decodedBase == nil
                                    ? "expected canonical syntax (`(`, `)`, `[` or a length), found \(describe(p, i, end))"
                                    : "a transport block must hold canonical syntax, found \(describe(p, i, end))")
                }
                let (next, producedExpression) = try parseAdvanced(p, at: i, end: end)
                i = next
                if producedExpression && stack.count == baseDepth { completed += 1 }
            }
        }
        if pendingHint >= 0 {
            throw error(.badHint, at: pendingHintOffset, expected: "a string after the display hint", found: "end of input",
                        message: "the display hint at offset \(pendingHintOffset) is not followed by a string")
        }
        if stack.count > baseDepth {
            let open = Int(nodes[Int(stack.last!)].offset)
            throw error(.unexpectedEnd, at: end, expected: "`)`", found: "end of input",
                        message: "the input ends inside a list: the `(` at offset \(open) is never closed (\(stack.count - baseDepth) open)")
        }
        return completed
    }

    // MARK: Pieces shared by every form

    /// Appends an atom node, consuming a pending hint.
    @inline(__always)
    mutating func addAtom(offset: Int, length: Int, kind: UInt32) {
        var kind = kind
        var link: UInt32 = 0
        if pendingHint >= 0 {
            kind |= Kind.hinted
            link = UInt32(pendingHint)
            pendingHint = -1
        }
        if let parent = stack.last { nodes[Int(parent)].length &+= 1 }
        nodes.append(Node(offset: UInt32(offset), length: UInt32(length), link: link, kind: kind))
    }

    /// Reads a decimal length at `i`; returns it and the index of the byte after the digits.
    @inline(__always)
    func readLength(_ p: UnsafeBufferPointer<UInt8>, at start: Int, end: Int) throws(SExprError) -> (Int, Int) {
        var i = start
        if p[i] == 0x30 && i + 1 < end && p[i + 1] &- 0x30 < 10 {
            throw error(.leadingZeroLength, at: start, expected: "a length without leading zeros", found: describe(p, start, end),
                        message: "a length may not have a leading zero (at offset \(start))")
        }
        var value = 0
        while i < end, p[i] &- 0x30 < 10 {
            if value < Int(UInt32.max) { value = value * 10 + Int(p[i] &- 0x30) }
            i += 1
        }
        guard i < end else {
            throw error(.unexpectedEnd, at: end, expected: "`:` after the length", found: "end of input",
                        message: "the input ends after length \(value) at offset \(start): expected `:` and the string")
        }
        return (value, i)
    }

    /// Reads a display hint `[...]` starting at `i` and leaves it pending.
    mutating func parseHint(_ p: UnsafeBufferPointer<UInt8>, at start: Int, end: Int, canonicalOnly: Bool,
                            offsetBase: Int, atomKind: UInt32) throws(SExprError) -> Int {
        var i = start + 1
        if !canonicalOnly { i = skipSpace(p, i, end) }
        guard i < end else {
            throw error(.unexpectedEnd, at: end, expected: "a string inside `[...]`", found: "end of input",
                        message: "the input ends inside the display hint that starts at offset \(start)")
        }
        let hintIndex = hints.count
        if canonicalOnly {
            guard p[i] &- 0x30 < 10 else {
                throw error(.badHint, at: i, expected: "`<length>:<hint>`", found: describe(p, i, end),
                            message: "expected a verbatim string `<length>:<hint>` inside the display hint, found \(describe(p, i, end))")
            }
            let (length, after) = try readLength(p, at: i, end: end)
            guard p[after] == 0x3A else {
                throw error(.badHint, at: after, expected: "`:` after the length", found: describe(p, after, end),
                            message: "expected `:` after length \(length) inside the display hint, found \(describe(p, after, end))")
            }
            let bodyStart = after + 1
            guard length <= end - bodyStart else {
                throw error(.lengthPastEnd, at: i, expected: "\(length) bytes", found: "\(end - bodyStart) bytes",
                            message: "length \(length) at offset \(i) runs past the end of the input (\(end - bodyStart) bytes left)")
            }
            hints.append(.init(offset: UInt32(offsetBase + bodyStart), length: UInt32(length), decoded: atomKind != 0))
            i = bodyStart + length
        } else {
            i = try parseHintString(p, at: i, end: end)
        }
        if !canonicalOnly { i = skipSpace(p, i, end) }
        guard i < end, p[i] == 0x5D else {
            throw error(i < end ? .badHint : .unexpectedEnd, at: i, expected: "`]`", found: describe(p, i, end),
                        message: "expected `]` to close the display hint that starts at offset \(start), found \(describe(p, i, end))")
        }
        pendingHint = hintIndex
        pendingHintOffset = transportOffset ?? start
        return i + 1
    }

    func hintNotFollowedByString(_ p: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> SExprError {
        error(.badHint, at: i, expected: "a string after the display hint", found: describe(p, i, end),
              message: "the display hint at offset \(pendingHintOffset) must be followed by a string, found \(describe(p, i, end))")
    }

    @inline(__always)
    func skipSpace(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var i = start
        while i < end, Self.isSpace(p[i]) { i += 1 }
        return i
    }

    @inline(__always)
    static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || (c >= 0x09 && c <= 0x0D)
    }

    // MARK: Errors

    /// Describes the byte at `i` for a message: a printable character in backticks, a
    /// byte value otherwise, or "end of input".
    func describe(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> String {
        guard i < end else { return "end of input" }
        let c = p[i]
        if c >= 0x21 && c < 0x7F && c != 0x60 { return "`\(Character(Unicode.Scalar(c)))`" }
        if c == 0x60 { return "a backquote" }
        if c == 0x20 { return "a space" }
        return "byte 0x" + String(c, radix: 16, uppercase: true).leftPadded(to: 2)
    }

    /// An error at `offset`; inside a transport block the position is that of the block.
    func error(_ code: SExprError.Code, at offset: Int, expected: String, found: String, message: String) -> SExprError {
        if let transportOffset {
            return Self.error(code, in: source, at: transportOffset, expected: expected, found: found,
                              message: "in the transport block: \(message) (at decoded offset \(offset))")
        }
        return Self.error(code, in: source, at: offset, expected: expected, found: found, message: message)
    }

    static func error(_ code: SExprError.Code, in source: [UInt8], at offset: Int, expected: String, found: String, message: String) -> SExprError {
        let clamped = min(offset, source.count)
        var line = 1
        var lineStart = 0
        for index in 0..<clamped where source[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        return SExprError(code: code, offset: offset, line: line, column: clamped - lineStart + 1,
                          expected: expected, found: found, message: message)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
