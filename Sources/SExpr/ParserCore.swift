/// The parser's state and its main loop. Canonical syntax is the hot path; advanced and
/// transport syntax are handled by the extensions in `ParserCore+Advanced.swift`.
struct ParserCore {
    typealias Node = SExprDocument.Node
    typealias Kind = SExprDocument.Kind

    let source: [UInt8]
    let options: Options
    /// The nodes, in a block that grows with `realloc` and is handed to the document.
    var nodeBase: UnsafeMutablePointer<Node>?
    var nodeCount = 0
    var nodeCapacity: Int
    /// The open lists: level 0 is the virtual root that holds the top-level expressions;
    /// `openIndex[k]` is the node of the list at level k, `openChildren[k]` its child count.
    var openIndex: UnsafeMutablePointer<UInt32>
    var openChildren: UnsafeMutablePointer<UInt32>
    /// `openOffset[k]`: where the list at level k starts in the input, for messages.
    var openOffset: UnsafeMutablePointer<Int>
    var openCapacity = 64
    var top = 0
    var hints: [UInt32: SExprDocument.Hint] = [:]
    var decoded: [UInt8] = []
    var rootCount = 0
    /// A hint waiting for its string.
    var pendingHint: SExprDocument.Hint? = nil
    var pendingHintOffset = 0
    /// When parsing the body of a transport block: where the block starts in the input.
    var transportOffset: Int? = nil

    typealias Options = SExprParser.Options

    init(source: [UInt8], options: Options) {
        self.source = source
        self.options = options
        nodeCapacity = max(64, source.count / 12)
        nodeBase = NodeStore.allocate(nodeCapacity)
        openIndex = .allocate(capacity: openCapacity)
        openChildren = .allocate(capacity: openCapacity)
        openOffset = .allocate(capacity: openCapacity)
        openIndex[0] = UInt32.max
        openChildren[0] = 0
    }

    /// Frees what the parser still owns (everything, if `takeNodes` was not called).
    mutating func deallocate() {
        if let nodeBase { free(nodeBase) }
        nodeBase = nil
        openIndex.deallocate()
        openChildren.deallocate()
        openOffset.deallocate()
    }

    /// Hands the node block to a `NodeStore`.
    mutating func takeNodes() -> NodeStore {
        let store = NodeStore(adopting: nodeBase!, count: nodeCount)
        nodeBase = nil
        return store
    }

    /// The nesting depth of the current position (0 at top level).
    var depth: Int { top }

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
        let baseTop = top
        let childrenBefore = openChildren[baseTop]
        let canonicalOnly = options.canonicalOnly || decodedBase != nil
        let offsetBase = decodedBase.map { source.count + $0 } ?? 0
        let maxDepth = options.maxDepth
        guard let bytes = p.baseAddress else {
            return 0
        }
        let fastPath = decodedBase == nil
        var i = from
        while i < end {
            if fastPath && pendingHint == nil {
                i = scanCanonical(bytes, from: i, to: end, baseTop: baseTop)
                if i >= end { break }
            }
            let c = bytes[i]
            let digit = c &- 0x30
            if digit < 10 {
                // The hot path: `<n>:<bytes>`.
                var length = Int(digit)
                var j = i + 1
                if digit == 0, j < end, bytes[j] &- 0x30 < 10 {
                    throw error(.leadingZeroLength, at: i, expected: "a length without leading zeros", found: describe(p, i, end),
                                message: "a length may not have a leading zero (at offset \(i))")
                }
                while j < end {
                    let d = bytes[j] &- 0x30
                    if d >= 10 { break }
                    if length < Int(UInt32.max) { length = length &* 10 &+ Int(d) }
                    j += 1
                }
                guard j < end else {
                    throw error(.unexpectedEnd, at: end, expected: "`:` after the length", found: "end of input",
                                message: "the input ends after length \(Self.lengthText(length)) at offset \(i): expected `:` and the string")
                }
                if bytes[j] == 0x3A {
                    let start = j + 1
                    guard length <= end - start else {
                        throw error(.lengthPastEnd, at: i, expected: "\(Self.lengthText(length)) bytes", found: "\(end - start) bytes",
                                    message: "length \(Self.lengthText(length)) at offset \(i) runs past the end of the input (\(end - start) bytes left)")
                    }
                    try addAtom(offset: offsetBase + start, length: length)
                    i = start + length
                } else if canonicalOnly {
                    throw error(.badLength, at: j, expected: "`:` after the length", found: describe(p, j, end),
                                message: "expected `:` after length \(Self.lengthText(length)), found \(describe(p, j, end))")
                } else {
                    i = try parseSizedString(p, at: j, end: end, declared: length, lengthOffset: i)
                }
                continue
            }
            if c == 0x28 {  // '('
                if pendingHint != nil { throw hintNotFollowedByString(p, at: i, end: end) }
                guard top < maxDepth else {
                    throw error(.depthExceeded, at: i, expected: "at most \(maxDepth) nested lists", found: "a deeper list",
                                message: "lists are nested deeper than the limit of \(maxDepth)")
                }
                appendNode(Node(a: 0, b: Kind.list))
                openChildren[top] &+= 1
                top += 1
                if top == openCapacity { growOpenLists() }
                openIndex[top] = UInt32(truncatingIfNeeded: nodeCount - 1)
                openChildren[top] = 0
                openOffset[top] = transportOffset ?? i
                i += 1
                continue
            }
            if c == 0x29 {  // ')'
                if pendingHint != nil { throw hintNotFollowedByString(p, at: i, end: end) }
                guard top > baseTop else {
                    throw error(.unbalancedClose, at: i, expected: "an expression", found: "`)`",
                                message: "unbalanced `)`: there is no open list to close")
                }
                let open = Int(openIndex[top])
                nodeBase![open] = Node(a: UInt32(truncatingIfNeeded: nodeCount), b: Kind.list | openChildren[top])
                top -= 1
                i += 1
                continue
            }
            if c == 0x5B {  // '['
                if pendingHint != nil {
                    throw error(.badHint, at: i, expected: "a string after the display hint", found: "another display hint",
                                message: "a display hint must be followed by a string, found another hint")
                }
                i = try parseHint(p, at: i, end: end, canonicalOnly: canonicalOnly, offsetBase: offsetBase)
                continue
            }
            if canonicalOnly {
                throw error(.notCanonical, at: i, expected: "`(`, `)`, `[` or a length", found: describe(p, i, end),
                            message: decodedBase == nil
                                ? "expected canonical syntax (`(`, `)`, `[` or a length), found \(describe(p, i, end))"
                                : "a transport block must hold canonical syntax, found \(describe(p, i, end))")
            }
            i = try parseAdvanced(p, at: i, end: end)
        }
        if pendingHint != nil {
            throw error(.badHint, at: pendingHintOffset, expected: "a string after the display hint", found: "end of input",
                        message: "the display hint at offset \(pendingHintOffset) is not followed by a string")
        }
        if top > baseTop {
            let open = openOffset[top]
            throw error(.unexpectedEnd, at: end, expected: "`)`", found: "end of input",
                        message: "the input ends inside a list: the `(` at offset \(open) is never closed (\(top - baseTop) open)")
        }
        return Int(openChildren[baseTop] - childrenBefore)
    }

    /// The canonical hot path: verbatim atoms, `(` and `)`, with the parser's state held in
    /// locals. It stops at the first byte that needs anything else (advanced syntax, a
    /// hint, an error, a full node block) and returns its index; the general loop takes
    /// that byte and reports errors with their full context.
    @inline(__always)
    mutating func scanCanonical(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int, baseTop: Int) -> Int {
        let base = nodeBase!
        let capacity = nodeCapacity
        let children = openChildren
        let index = openIndex
        let offsets = openOffset
        let topLimit = min(options.maxDepth, openCapacity - 1)
        var count = nodeCount
        var t = top
        var i = start
        scan: while i < end {
            let c = bytes[i]
            let digit = c &- 0x30
            if digit < 10 {
                var length = Int(digit)
                var j = i + 1
                if digit == 0 && j < end && bytes[j] &- 0x30 < 10 { break scan }
                while j < end {
                    let d = bytes[j] &- 0x30
                    if d >= 10 { break }
                    length = length &* 10 &+ Int(d)
                    if length > end { break scan }
                    j += 1
                }
                let first = j &+ 1
                guard j < end, bytes[j] == 0x3A, length <= end &- first, length <= Kind.maxAtomLength, count < capacity else { break scan }
                base[count] = Node(a: UInt32(truncatingIfNeeded: first), b: UInt32(truncatingIfNeeded: length))
                count &+= 1
                children[t] &+= 1
                i = first &+ length
            } else if c == 0x28 {
                guard t < topLimit, count < capacity else { break scan }
                base[count] = Node(a: 0, b: Kind.list)
                children[t] &+= 1
                t &+= 1
                index[t] = UInt32(truncatingIfNeeded: count)
                children[t] = 0
                offsets[t] = i
                count &+= 1
                i &+= 1
            } else if c == 0x29 {
                guard t > baseTop else { break scan }
                base[Int(index[t])] = Node(a: UInt32(truncatingIfNeeded: count), b: Kind.list | children[t])
                t &-= 1
                i &+= 1
            } else {
                break scan
            }
        }
        nodeCount = count
        top = t
        return i
    }

    @inline(__always)
    mutating func appendNode(_ node: Node) {
        if nodeCount == nodeCapacity {
            nodeCapacity *= 2
            nodeBase = NodeStore.grow(nodeBase!, to: nodeCapacity)
        }
        nodeBase![nodeCount] = node
        nodeCount += 1
    }

    mutating func growOpenLists() {
        let capacity = openCapacity * 2
        let index = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
        let children = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
        index.update(from: openIndex, count: openCapacity)
        children.update(from: openChildren, count: openCapacity)
        offsets.update(from: openOffset, count: openCapacity)
        openIndex.deallocate()
        openChildren.deallocate()
        openOffset.deallocate()
        openIndex = index
        openChildren = children
        openOffset = offsets
        openCapacity = capacity
    }

    // MARK: Pieces shared by every form

    /// Appends an atom node, consuming a pending hint.
    @inline(__always)
    mutating func addAtom(offset: Int, length: Int) throws(SExprError) {
        if length > Kind.maxAtomLength {
            throw error(.inputTooLarge, at: offset, expected: "at most \(Kind.maxAtomLength) bytes", found: "\(length) bytes",
                        message: "a string of \(length) bytes is longer than a document holds (\(Kind.maxAtomLength) bytes)")
        }
        var flags: UInt32 = 0
        if let hint = pendingHint {
            flags = Kind.hinted
            hints[UInt32(truncatingIfNeeded: nodeCount)] = hint
            pendingHint = nil
        }
        appendNode(Node(a: UInt32(truncatingIfNeeded: offset), b: flags | UInt32(truncatingIfNeeded: length)))
        openChildren[top] &+= 1
    }

    /// Reads a decimal length at `i`; returns it and the index of the byte after the digits.
    @inline(__always)
    /// A length as read, for messages: the readers stop accumulating digits once the value
    /// reaches `UInt32.max` (no input is that large), so such a value means "at least".
    static func lengthText(_ length: Int) -> String {
        length >= Int(UInt32.max) ? "\(UInt32.max) or more" : String(length)
    }

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
                        message: "the input ends after length \(Self.lengthText(value)) at offset \(start): expected `:` and the string")
        }
        return (value, i)
    }

    /// Reads a display hint `[...]` starting at `i` and leaves it pending.
    mutating func parseHint(_ p: UnsafeBufferPointer<UInt8>, at start: Int, end: Int, canonicalOnly: Bool,
                            offsetBase: Int) throws(SExprError) -> Int {
        var i = start + 1
        if !canonicalOnly { i = skipSpace(p, i, end) }
        guard i < end else {
            throw error(.unexpectedEnd, at: end, expected: "a string inside `[...]`", found: "end of input",
                        message: "the input ends inside the display hint that starts at offset \(start)")
        }
        if canonicalOnly {
            guard p[i] &- 0x30 < 10 else {
                throw error(.badHint, at: i, expected: "`<length>:<hint>`", found: describe(p, i, end),
                            message: "expected a verbatim string `<length>:<hint>` inside the display hint, found \(describe(p, i, end))")
            }
            let (length, after) = try readLength(p, at: i, end: end)
            guard p[after] == 0x3A else {
                throw error(.badHint, at: after, expected: "`:` after the length", found: describe(p, after, end),
                            message: "expected `:` after length \(Self.lengthText(length)) inside the display hint, found \(describe(p, after, end))")
            }
            let bodyStart = after + 1
            guard length <= end - bodyStart else {
                throw error(.lengthPastEnd, at: i, expected: "\(Self.lengthText(length)) bytes", found: "\(end - bodyStart) bytes",
                            message: "length \(Self.lengthText(length)) at offset \(i) runs past the end of the input (\(end - bodyStart) bytes left)")
            }
            pendingHint = .init(offset: UInt32(truncatingIfNeeded: offsetBase + bodyStart), length: UInt32(truncatingIfNeeded: length))
            i = bodyStart + length
        } else {
            i = try parseHintString(p, at: i, end: end)
        }
        if !canonicalOnly { i = skipSpace(p, i, end) }
        guard i < end, p[i] == 0x5D else {
            throw error(i < end ? .badHint : .unexpectedEnd, at: i, expected: "`]`", found: describe(p, i, end),
                        message: "expected `]` to close the display hint that starts at offset \(start), found \(describe(p, i, end))")
        }
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

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
