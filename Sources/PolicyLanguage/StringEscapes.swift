/// Decoding of string literals: the escapes `\" \\ \n \t \u{XXXX}`.
enum StringEscapes {
    /// For `\u{...}` at `index` (the backslash): the scalar and the index after `}`.
    static func unicodeEscape(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar, Int)? {
        var cursor = index + 2
        guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "{") else { return nil }
        cursor += 1
        var value: UInt32 = 0
        var digits = 0
        while cursor < bytes.count, let digit = hexValue(bytes[cursor]) {
            value = value &* 16 &+ UInt32(digit)
            digits += 1
            cursor += 1
            if digits > 6 { return nil }
        }
        guard digits > 0, cursor < bytes.count, bytes[cursor] == UInt8(ascii: "}"),
              let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, cursor + 1)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The value of the string token `start..<end` (quotes included; a missing
    /// closing quote is tolerated). Invalid escapes were reported by the lexer and
    /// are kept as written.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> String {
        var contentEnd = end
        if contentEnd - start >= 2, bytes[contentEnd - 1] == UInt8(ascii: "\"") { contentEnd -= 1 }
        let contentStart = start + 1
        guard contentStart < contentEnd else { return "" }
        let content = UnsafeBufferPointer(rebasing: bytes[contentStart..<contentEnd])
        if !content.contains(UInt8(ascii: "\\")) {
            return String(decoding: content, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(content.count)
        var index = contentStart
        while index < contentEnd {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < contentEnd else {
                out.append(byte)
                index += 1
                continue
            }
            switch bytes[index + 1] {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\"")); index += 2
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); index += 2
            case UInt8(ascii: "n"): out.append(0x0A); index += 2
            case UInt8(ascii: "t"): out.append(0x09); index += 2
            case UInt8(ascii: "u"):
                if let (scalar, after) = unicodeEscape(bytes, at: index), after <= contentEnd {
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    index = after
                } else {
                    out.append(byte)
                    index += 1
                }
            default:
                out.append(byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
