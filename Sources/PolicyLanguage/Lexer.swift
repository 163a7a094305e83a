import Diagnostics

/// Turns the UTF-8 bytes of a `.vp` file into tokens, on demand. Works on bytes
/// only (no `Character` iteration). Comments are kept on the side for the
/// formatter; lexical errors are reported once and the offending bytes skipped, so
/// the parser never sees them.
struct Lexer {
    let bytes: UnsafeBufferPointer<UInt8>
    let file: FileID
    private(set) var position = 0
    private var atLineStart = true
    /// Comments seen so far, in order.
    private(set) var comments: [SourceRange] = []
    /// Lexical diagnostics not yet collected by the parser.
    var pending: [Diagnostic] = []

    init(bytes: UnsafeBufferPointer<UInt8>, file: FileID) {
        self.bytes = bytes
        self.file = file
        // A UTF-8 byte-order mark is allowed and ignored.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
    }

    private func range(_ start: Int, _ end: Int) -> SourceRange {
        SourceRange(file: file, start: UInt32(start), end: UInt32(end))
    }

    private mutating func report(_ kind: SyntaxError, _ message: String, _ start: Int, _ end: Int, help: String? = nil) {
        pending.append(Diagnostic(code: kind.code, message: message, range: range(start, end), help: help))
    }

    /// Skips blanks, newlines and comments.
    private mutating func skipTrivia() {
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case 0x20, 0x09, 0x0D:
                position += 1
            case 0x0A:
                position += 1
                atLineStart = true
            case UInt8(ascii: "#"):
                let start = position
                while position < bytes.count, bytes[position] != 0x0A {
                    if bytes[position] >= 0x80 {
                        var index = position
                        validateUTF8(at: &index)
                        position = index
                    } else {
                        position += 1
                    }
                }
                // A comment's range leaves out trailing blanks and carriage returns.
                var end = position
                while end > start, bytes[end - 1] == 0x0D || bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
                comments.append(range(start, end))
            default:
                return
            }
        }
    }

    /// Checks one multi-byte UTF-8 sequence at `index` and steps over it. When it is
    /// invalid, reports E0004 once for the whole run of bytes that start no valid
    /// sequence (a binary file or another encoding gives runs, not one error per byte)
    /// and steps over the run.
    private mutating func validateUTF8(at index: inout Int) {
        let length = UTF8Validation.sequenceLength(bytes, at: index)
        guard length == 0 else {
            index += length
            return
        }
        let start = index
        repeat { index += 1 } while index < bytes.count && bytes[index] >= 0x80 && UTF8Validation.sequenceLength(bytes, at: index) == 0
        let shown = bytes[start..<min(index, start + 8)].map { "\\x" + String($0, radix: 16, uppercase: true) }.joined()
            + (index - start > 8 ? "..." : "")
        let what = index - start == 1 ? "invalid UTF-8 byte" : "\(index - start) invalid UTF-8 bytes"
        report(.invalidUTF8, "\(what) `\(shown)`", start, index, help: "save the file as UTF-8")
    }

    /// The next token.
    mutating func next() -> Token {
        while true {
            skipTrivia()
            let lineStart = atLineStart
            atLineStart = false
            guard position < bytes.count else {
                return Token(kind: .endOfFile, isAtLineStart: true, start: UInt32(bytes.count), end: UInt32(bytes.count))
            }
            let start = position
            let byte = bytes[position]
            if let token = scan(byte, start: start, lineStart: lineStart) {
                return token
            }
            // An unexpected character: reported once for a run of them, then skipped.
            atLineStart = lineStart
            skipUnexpected(from: start)
        }
    }

    private mutating func skipUnexpected(from start: Int) {
        if bytes[start] >= 0x80, UTF8Validation.sequenceLength(bytes, at: start) == 0 {
            var index = start
            validateUTF8(at: &index)
            position = index
            return
        }
        var end = start
        while end < bytes.count, Self.isUnexpected(bytes, at: end) {
            end += bytes[end] >= 0x80 ? max(1, UTF8Validation.sequenceLength(bytes, at: end)) : 1
        }
        end = max(end, start + 1)
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        let shown = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
            ? text : text.unicodeScalars.map { "\\u{\(String($0.value, radix: 16))}" }.joined()
        report(.unexpectedCharacter, "unexpected character\(text.unicodeScalars.count > 1 ? "s" : "") `\(shown)`", start, end,
               help: "remove it; comments start with `#`")
        position = end
    }

    /// Whether the byte at `index` cannot start any token.
    private static func isUnexpected(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let byte = bytes[index]
        if byte >= 0x80 { return UTF8Validation.sequenceLength(bytes, at: index) > 0 }
        switch byte {
        case 0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "#"), UInt8(ascii: "\""): return false
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return false
        case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "("),
             UInt8(ascii: ")"), UInt8(ascii: ","), UInt8(ascii: "/"), UInt8(ascii: "*"):
            return false
        case UInt8(ascii: "."): return !(index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "."))
        case UInt8(ascii: ">"), UInt8(ascii: "<"):
            return !(index + 1 < bytes.count && (bytes[index + 1] == UInt8(ascii: "=") || bytes[index + 1] == UInt8(ascii: "-")))
        case UInt8(ascii: "-"): return !(index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: ">"))
        default: return true
        }
    }

    @inline(__always)
    private mutating func simple(_ kind: TokenKind, _ start: Int, _ length: Int, _ lineStart: Bool) -> Token {
        position = start + length
        return Token(kind: kind, isAtLineStart: lineStart, start: UInt32(start), end: UInt32(position))
    }

    private func peek(_ offset: Int) -> UInt8 {
        position + offset < bytes.count ? bytes[position + offset] : 0
    }

    private mutating func scan(_ byte: UInt8, start: Int, lineStart: Bool) -> Token? {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
            return scanIdentifier(start, lineStart)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return scanNumberOrDate(start, lineStart)
        case UInt8(ascii: "\""):
            return scanString(start, lineStart)
        case UInt8(ascii: "{"): return simple(.leftBrace, start, 1, lineStart)
        case UInt8(ascii: "}"): return simple(.rightBrace, start, 1, lineStart)
        case UInt8(ascii: "["): return simple(.leftBracket, start, 1, lineStart)
        case UInt8(ascii: "]"): return simple(.rightBracket, start, 1, lineStart)
        case UInt8(ascii: "("): return simple(.leftParen, start, 1, lineStart)
        case UInt8(ascii: ")"): return simple(.rightParen, start, 1, lineStart)
        case UInt8(ascii: ","): return simple(.comma, start, 1, lineStart)
        case UInt8(ascii: "/"): return simple(.slash, start, 1, lineStart)
        case UInt8(ascii: "*"): return simple(.star, start, 1, lineStart)
        case UInt8(ascii: "."):
            return peek(1) == UInt8(ascii: ".") ? simple(.dotDot, start, 2, lineStart) : nil
        case UInt8(ascii: ">"):
            return peek(1) == UInt8(ascii: "=") ? simple(.greaterEqual, start, 2, lineStart) : nil
        case UInt8(ascii: "<"):
            if peek(1) == UInt8(ascii: "=") { return simple(.lessEqual, start, 2, lineStart) }
            if peek(1) == UInt8(ascii: "-"), peek(2) == UInt8(ascii: ">") { return simple(.biArrow, start, 3, lineStart) }
            return nil
        case UInt8(ascii: "-"):
            return peek(1) == UInt8(ascii: ">") ? simple(.arrow, start, 2, lineStart) : nil
        default:
            return nil
        }
    }

    @inline(__always)
    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`, with inner `-` when followed by a name byte or `[`
    /// (so `capricorne-[01..35]` and `registered-with` are single names).
    private mutating func scanIdentifier(_ start: Int, _ lineStart: Bool) -> Token {
        var index = start + 1
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if Self.isIdentifierByte(byte) {
                index += 1
            } else if byte == UInt8(ascii: "-"), index + 1 < count,
                      Self.isIdentifierByte(bytes[index + 1]) || bytes[index + 1] == UInt8(ascii: "[") {
                index += 1
            } else {
                break
            }
        }
        position = index
        let keyword = Keyword.classify(bytes, start: start, end: index)
        return Token(kind: .identifier, keyword: keyword, isAtLineStart: lineStart, start: UInt32(start), end: UInt32(index))
    }

    /// A number `123`, `0.5`; or a date-time when four digits are followed by `-`
    /// (checked later by `DateTimeSyntax`).
    private mutating func scanNumberOrDate(_ start: Int, _ lineStart: Bool) -> Token {
        var index = start
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        if index - start == 4, index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            while index < bytes.count {
                let byte = bytes[index]
                let isDateByte = Self.isIdentifierByte(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
                    || byte == UInt8(ascii: "+")
                    || (byte == UInt8(ascii: ".") && index + 1 < bytes.count && bytes[index + 1] != UInt8(ascii: "."))
                guard isDateByte else { break }
                index += 1
            }
            position = index
            return Token(kind: .dateTime, isAtLineStart: lineStart, start: UInt32(start), end: UInt32(index))
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "."), index + 1 < bytes.count,
           bytes[index + 1] != UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            if index == fractionStart {
                report(.malformedNumber, "malformed number `\(text(start, index))`: expected a digit after `.`", start, index,
                       help: "write `\(text(start, index - 1))` or `\(text(start, index))0`")
            }
        }
        position = index
        return Token(kind: .number, isAtLineStart: lineStart, start: UInt32(start), end: UInt32(index))
    }

    private func text(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// A string `"..."` on one line, with escapes `\" \\ \n \t \u{...}`. An
    /// unterminated string ends at the end of its line (reported once).
    private mutating func scanString(_ start: Int, _ lineStart: Bool) -> Token {
        var index = start + 1
        while true {
            guard index < bytes.count, bytes[index] != 0x0A else {
                var end = index
                if end > start, end <= bytes.count, bytes[end - 1] == 0x0D { end -= 1 }
                report(.unterminatedString, "unterminated string", start, end, help: "add the closing `\"` on the same line")
                position = index
                return Token(kind: .string, isAtLineStart: lineStart, start: UInt32(start), end: UInt32(end))
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                return Token(kind: .string, isAtLineStart: lineStart, start: UInt32(start), end: UInt32(position))
            }
            if byte == UInt8(ascii: "\\") {
                index = scanEscape(at: index)
            } else if byte >= 0x80 {
                validateUTF8(at: &index)
            } else {
                index += 1
            }
        }
    }

    /// Checks the escape at `index` (the backslash) and returns the index after it.
    private mutating func scanEscape(at index: Int) -> Int {
        let next = index + 1 < bytes.count ? bytes[index + 1] : 0
        switch next {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "n"), UInt8(ascii: "t"):
            return index + 2
        case UInt8(ascii: "u"):
            if let (_, end) = StringEscapes.unicodeEscape(bytes, at: index) { return end }
        default:
            break
        }
        let end = next == 0x0A || next == 0 || index + 1 >= bytes.count ? index + 1 : index + 2
        let shown = end > index + 1 && next < 0x80 ? text(index, end) : "\\"
        report(.invalidEscape, "invalid escape sequence `\(shown)` in string", index, end,
               help: "the escapes are `\\\"`, `\\\\`, `\\n`, `\\t` and `\\u{...}`; write `\\\\` for a backslash")
        return end
    }

    /// After a `locator` keyword: a raw address word, up to a blank, `,`, `#`, or a
    /// `}` outside template braces. Empty when there is none on the line.
    /// After a `,` (`acrossLines`), blank lines and comments may come first.
    mutating func nextLocator(acrossLines: Bool) -> Token {
        if acrossLines {
            skipTrivia()
            atLineStart = false
        }
        while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 { position += 1 }
        let start = position
        var depth = 0
        scan: while position < bytes.count {
            switch bytes[position] {
            case 0x0A, 0x0D, UInt8(ascii: "#"), UInt8(ascii: ","), UInt8(ascii: "\""): break scan
            case 0x20, 0x09: if depth == 0 { break scan }
            case UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "}"):
                if depth == 0 { break scan }
                depth -= 1
            case 0x80...0xFF:
                var index = position
                validateUTF8(at: &index)
                position = index
                continue scan
            default: break
            }
            position += 1
        }
        return Token(kind: .locator, isAtLineStart: false, start: UInt32(start), end: UInt32(position))
    }
}
