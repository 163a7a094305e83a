/// Advanced and transport syntax: whitespace, comments, tokens, quoted strings, `#hex#`,
/// `|base64|`, length-prefixed strings and `{transport}` blocks.
extension ParserCore {
    /// Where a simple string's bytes ended up: in the input (tokens, verbatim) or in
    /// `decoded` (everything that needed decoding).
    struct StringRef {
        var offset: Int
        var length: Int
        var isDecoded: Bool
    }

    /// Handles one advanced-syntax item at `i` and returns the next index.
    mutating func parseAdvanced(_ p: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) throws(SExprError) -> Int {
        let c = p[i]
        if Self.isSpace(c) { return skipSpace(p, i, end) }
        switch c {
        case 0x3B:  // ';' comment to the end of the line
            var j = i + 1
            while j < end, p[j] != 0x0A { j += 1 }
            return j
        case 0x7B:  // '{'
            return try parseTransport(p, at: i, end: end)
        default:
            let (ref, next) = try readSimpleString(p, at: i, end: end)
            try addAtom(ref)
            return next
        }
    }

    /// After a length prefix that is not followed by `:`: `3"abc"`, `3#616263#`, `3|YWJj|`.
    mutating func parseSizedString(_ p: UnsafeBufferPointer<UInt8>, at i: Int, end: Int, declared: Int, lengthOffset: Int) throws(SExprError) -> Int {
        let (ref, next) = try readSizedString(p, at: i, end: end, declared: declared, lengthOffset: lengthOffset)
        try addAtom(ref)
        return next
    }

    mutating func addAtom(_ ref: StringRef) throws(SExprError) {
        try addAtom(offset: ref.isDecoded ? source.count + ref.offset : ref.offset, length: ref.length)
    }

    /// A hint's string in advanced syntax: `[text/plain]`, `["text plain"]`, `[#..#]`, ...
    mutating func parseHintString(_ p: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) throws(SExprError) -> Int {
        let (ref, next) = try readSimpleString(p, at: i, end: end)
        let offset = ref.isDecoded ? source.count + ref.offset : ref.offset
        pendingHint = .init(offset: UInt32(truncatingIfNeeded: offset), length: UInt32(truncatingIfNeeded: ref.length))
        return next
    }

    /// Reads a token, quoted, hex, base64 or length-prefixed string at `i`.
    mutating func readSimpleString(_ p: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) throws(SExprError) -> (StringRef, Int) {
        let c = p[i]
        if c &- 0x30 < 10 {
            let (length, after) = try readLength(p, at: i, end: end)
            if p[after] == 0x3A {
                let start = after + 1
                guard length <= end - start else {
                    throw error(.lengthPastEnd, at: i, expected: "\(Self.lengthText(length)) bytes", found: "\(end - start) bytes",
                                message: "length \(Self.lengthText(length)) at offset \(i) runs past the end of the input (\(end - start) bytes left)")
                }
                return (StringRef(offset: start, length: length, isDecoded: false), start + length)
            }
            return try readSizedString(p, at: after, end: end, declared: length, lengthOffset: i)
        }
        switch c {
        case 0x22: return try readQuoted(p, at: i, end: end)
        case 0x23: return try readHex(p, at: i, end: end)
        case 0x7C: return try readBase64(p, at: i, end: end)
        default:
            guard Self.isTokenByte(c) else {
                throw error(.unexpectedCharacter, at: i, expected: "an S-expression", found: describe(p, i, end),
                            message: "unexpected \(describe(p, i, end)): expected `(`, `)`, a token, a string or a length")
            }
            var j = i + 1
            while j < end, Self.isTokenByte(p[j]) { j += 1 }
            return (StringRef(offset: i, length: j - i, isDecoded: false), j)
        }
    }

    /// `<n>"..."`, `<n>#..#` or `<n>|..|`, checking the decoded length against `declared`.
    mutating func readSizedString(_ p: UnsafeBufferPointer<UInt8>, at i: Int, end: Int, declared: Int, lengthOffset: Int) throws(SExprError) -> (StringRef, Int) {
        let left = end - i
        let needed: Int
        switch p[i] {
        case 0x22: needed = declared + 2
        case 0x23: needed = declared * 2 + 2
        case 0x7C: needed = (declared * 4 + 2) / 3 + 2
        default:
            throw error(.badLength, at: i, expected: "`:`, `\"`, `#` or `|` after the length", found: describe(p, i, end),
                        message: "expected `:`, `\"`, `#` or `|` after length \(Self.lengthText(declared)), found \(describe(p, i, end))"
                            + Self.digitAtomHint(p, at: lengthOffset, end: end))
        }
        guard needed <= left else {
            throw error(.lengthPastEnd, at: lengthOffset, expected: "\(Self.lengthText(declared)) bytes", found: "\(left) bytes of input",
                        message: "length \(Self.lengthText(declared)) at offset \(lengthOffset) runs past the end of the input (\(left) bytes left)")
        }
        let (ref, next) = try readSimpleString(p, at: i, end: end)
        guard ref.length == declared else {
            throw error(.lengthMismatch, at: lengthOffset, expected: "\(Self.lengthText(declared)) bytes", found: "\(ref.length) bytes",
                        message: "the string at offset \(i) declares length \(Self.lengthText(declared)) but holds \(ref.length) bytes")
        }
        return (ref, next)
    }

    /// A quoted string with RFC 9804 escapes, decoded into `decoded`.
    mutating func readQuoted(_ p: UnsafeBufferPointer<UInt8>, at start: Int, end: Int) throws(SExprError) -> (StringRef, Int) {
        let first = decoded.count
        var j = start + 1
        while j < end {
            let c = p[j]
            if c == 0x22 {
                return (StringRef(offset: first, length: decoded.count - first, isDecoded: true), j + 1)
            }
            if c != 0x5C {
                decoded.append(c)
                j += 1
                continue
            }
            guard j + 1 < end else { break }
            let e = p[j + 1]
            switch e {
            case UInt8(ascii: "b"): decoded.append(0x08); j += 2
            case UInt8(ascii: "t"): decoded.append(0x09); j += 2
            case UInt8(ascii: "v"): decoded.append(0x0B); j += 2
            case UInt8(ascii: "n"): decoded.append(0x0A); j += 2
            case UInt8(ascii: "f"): decoded.append(0x0C); j += 2
            case UInt8(ascii: "r"): decoded.append(0x0D); j += 2
            case 0x22, 0x27, 0x5C: decoded.append(e); j += 2
            case 0x0A, 0x0D:
                // Backslash-newline: a line continuation (\n, \r, \r\n or \n\r).
                j += 2
                if j < end, (p[j] == 0x0A || p[j] == 0x0D), p[j] != e { j += 1 }
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard j + 3 < end, Self.isOctal(p[j + 2]), Self.isOctal(p[j + 3]) else {
                    throw badEscape(p, at: j, end: end, why: "an octal escape needs exactly three octal digits (`\\101`)")
                }
                let value = Int(e - 0x30) * 64 + Int(p[j + 2] - 0x30) * 8 + Int(p[j + 3] - 0x30)
                guard value <= 255 else {
                    throw badEscape(p, at: j, end: end, why: "the octal escape is above `\\377`")
                }
                decoded.append(UInt8(value))
                j += 4
            case UInt8(ascii: "x"):
                guard j + 3 < end, let high = Self.hexValue(p[j + 2]), let low = Self.hexValue(p[j + 3]) else {
                    throw badEscape(p, at: j, end: end, why: "a hex escape needs exactly two hex digits (`\\x41`)")
                }
                decoded.append(high << 4 | low)
                j += 4
            default:
                throw badEscape(p, at: j, end: end, why: "known escapes are \\b \\t \\v \\n \\f \\r \\\" \\' \\\\ \\ooo \\xhh and backslash-newline")
            }
        }
        throw error(.unexpectedEnd, at: end, expected: "`\"`", found: "end of input",
                    message: "the quoted string that starts at offset \(start) is never closed")
    }

    func badEscape(_ p: UnsafeBufferPointer<UInt8>, at j: Int, end: Int, why: String) -> SExprError {
        let shown = j + 1 < end ? describe(p, j + 1, end) : "end of input"
        return error(.badEscape, at: j, expected: "a valid escape", found: "`\\` followed by \(shown)",
                     message: "bad escape `\\` followed by \(shown) in a quoted string: \(why)")
    }

    /// `#hex#`, whitespace allowed between digits.
    mutating func readHex(_ p: UnsafeBufferPointer<UInt8>, at start: Int, end: Int) throws(SExprError) -> (StringRef, Int) {
        let first = decoded.count
        var j = start + 1
        var high: UInt8? = nil
        while j < end {
            let c = p[j]
            if c == 0x23 {
                guard high == nil else {
                    throw error(.badHex, at: start, expected: "an even number of hex digits", found: "an odd number",
                                message: "the hex string at offset \(start) has an odd number of digits")
                }
                return (StringRef(offset: first, length: decoded.count - first, isDecoded: true), j + 1)
            }
            if Self.isSpace(c) { j += 1; continue }
            guard let value = Self.hexValue(c) else {
                throw error(.badHex, at: j, expected: "a hex digit or `#`", found: describe(p, j, end),
                            message: "bad hex digit \(describe(p, j, end)) in the hex string that starts at offset \(start)")
            }
            if let h = high {
                decoded.append(h << 4 | value)
                high = nil
            } else {
                high = value
            }
            j += 1
        }
        throw error(.unexpectedEnd, at: end, expected: "`#`", found: "end of input",
                    message: "the hex string that starts at offset \(start) is never closed")
    }

    /// `|base64|`, whitespace allowed, padding optional.
    mutating func readBase64(_ p: UnsafeBufferPointer<UInt8>, at start: Int, end: Int) throws(SExprError) -> (StringRef, Int) {
        guard let close = Self.find(0x7C, in: p, from: start + 1, to: end) else {
            throw error(.unexpectedEnd, at: end, expected: "`|`", found: "end of input",
                        message: "the base64 string that starts at offset \(start) is never closed")
        }
        // Decode into a local buffer: passing `&decoded` to a non-mutating method would
        // copy `self` and with it force a copy of the whole buffer on every string.
        var bytes: [UInt8] = []
        try decodeBase64(p, from: start + 1, to: close, into: &bytes, what: "base64 string", at: start)
        let first = decoded.count
        decoded.append(contentsOf: bytes)
        return (StringRef(offset: first, length: bytes.count, isDecoded: true), close + 1)
    }

    /// `{base64 of canonical bytes}`: exactly one canonical expression.
    mutating func parseTransport(_ p: UnsafeBufferPointer<UInt8>, at start: Int, end: Int) throws(SExprError) -> Int {
        if pendingHint != nil { throw hintNotFollowedByString(p, at: start, end: end) }
        guard let close = Self.find(0x7D, in: p, from: start + 1, to: end) else {
            throw error(.unexpectedEnd, at: end, expected: "`}`", found: "end of input",
                        message: "the transport block that starts at offset \(start) is never closed")
        }
        var body: [UInt8] = []
        try decodeBase64(p, from: start + 1, to: close, into: &body, what: "transport block", at: start)
        let base = decoded.count
        decoded.append(contentsOf: body)
        transportOffset = start
        defer { transportOffset = nil }
        let count = try body.withUnsafeBufferPointer { (inner) throws(SExprError) -> Int in
            try parseRegion(inner, from: 0, to: inner.count, decodedBase: base)
        }
        guard count == 1 else {
            throw error(.badTransport, at: 0, expected: "exactly one expression", found: "\(count)",
                        message: "a transport block must hold exactly one expression, it holds \(count)")
        }
        return close + 1
    }

    func decodeBase64(_ p: UnsafeBufferPointer<UInt8>, from: Int, to: Int, into out: inout [UInt8], what: String, at start: Int) throws(SExprError) {
        do {
            try Base64.decode(UnsafeBufferPointer(rebasing: p[from..<to]), into: &out)
        } catch {
            switch error {
            case .invalidCharacter(let index, _):
                throw self.error(.badBase64, at: from + index, expected: "a base64 character", found: describe(p, from + index, to),
                                 message: "bad base64 character \(describe(p, from + index, to)) in the \(what) that starts at offset \(start)")
            case .misplacedPadding(let index):
                throw self.error(.badBase64, at: from + index, expected: "base64 with padding only at its end", found: "misplaced `=`",
                                 message: "misplaced `=` padding in the \(what) that starts at offset \(start)")
            case .truncated(let symbols):
                throw self.error(.badBase64, at: start, expected: "a multiple of 4 base64 characters, or 2 or 3 more", found: "\(symbols) characters",
                                 message: "the \(what) that starts at offset \(start) has \(symbols) base64 characters, which cannot encode whole bytes")
            case .nonZeroTrailingBits:
                throw self.error(.badBase64, at: start, expected: "zero bits after the last byte", found: "non-zero bits",
                                 message: "the \(what) that starts at offset \(start) is not canonical base64: its last character carries non-zero unused bits")
            }
        }
    }

    static func find(_ byte: UInt8, in p: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        var j = from
        while j < to {
            if p[j] == byte { return j }
            j += 1
        }
        return nil
    }

    /// When the bytes at `start` read as a token that begins with a digit (`3be4`, or `4` before
    /// a `)`), which advanced syntax takes for a length: how to write it instead.
    static func digitAtomHint(_ p: UnsafeBufferPointer<UInt8>, at start: Int, end: Int) -> String {
        var j = start
        while j < end, p[j] != UInt8(ascii: ":"), isTokenByte(p[j]) { j += 1 }
        guard j > start, j == end || p[j] == UInt8(ascii: ")") || p[j] == UInt8(ascii: "(") || isSpace(p[j]) else { return "" }
        let shown = min(j - start, 24)
        let text = String(decoding: UnsafeBufferPointer(rebasing: p[start..<(start + shown)]), as: UTF8.self) + (j - start > shown ? "..." : "")
        return "; a token cannot start with a digit (a digit starts a length), so quote it: \"\(text)\""
    }

    /// Letters, digits and `- . / _ : * + =`.
    @inline(__always)
    static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "_"), UInt8(ascii: ":"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }

    @inline(__always) static func isOctal(_ c: UInt8) -> Bool { c &- 0x30 < 8 }

    @inline(__always) static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - 0x30
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - 0x57
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - 0x37
        default: return nil
        }
    }
}
