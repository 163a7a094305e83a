/// An IPv4 or IPv6 address: a host locator, a HIT or an LSI. Parsing is strict (no zone
/// ids, no prefixes) and printing is canonical (dotted quad; RFC 5952 for IPv6), so two
/// spellings of one address compare and print the same.
public enum IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    case v4([UInt8])
    case v6([UInt8])

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with an embedded IPv4 tail allowed).
    public init?(_ text: String) {
        if text.contains(":") {
            guard let bytes = Self.parseV6(Substring(text)) else { return nil }
            self = .v6(bytes)
        } else {
            guard let bytes = Self.parseV4(Substring(text)) else { return nil }
            self = .v4(bytes)
        }
    }

    public var bytes: [UInt8] {
        switch self {
        case .v4(let bytes), .v6(let bytes): return bytes
        }
    }

    public var isV6: Bool { if case .v6 = self { return true } else { return false } }

    /// `inet` or `inet6`, as `ip` spells the families.
    public var familyWord: String { isV6 ? "inet6" : "inet" }

    public var description: String {
        switch self {
        case .v4(let b): return "\(b[0]).\(b[1]).\(b[2]).\(b[3])"
        case .v6(let b): return Self.formatV6(b)
        }
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        if lhs.isV6 != rhs.isV6 { return !lhs.isV6 }
        return lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    // MARK: IPv4

    static func parseV4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  !(part.count > 1 && part.first == "0"), let value = UInt16(part), value <= 255 else { return nil }
            bytes.append(UInt8(value))
        }
        return bytes
    }

    // MARK: IPv6

    static func parseV6(_ text: Substring) -> [UInt8]? {
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        let pieces: [Substring]
        if let range = text.range(of: "::") {
            sawGap = true
            let left = text[..<range.lowerBound], right = text[range.upperBound...]
            if right.contains("::") { return nil }
            guard let l = groups(left, allowV4: right.isEmpty), let r = groups(right, allowV4: true) else { return nil }
            head = l
            tail = r
            pieces = []
        } else {
            pieces = [text]
        }
        if !sawGap {
            guard let all = groups(pieces[0], allowV4: true), all.count == 8 else { return nil }
            head = all
        } else if head.count + tail.count > 7 {
            return nil
        }
        let words = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        return words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    /// Colon-separated 16-bit groups; the last may be an IPv4 dotted quad (two groups).
    private static func groups(_ text: Substring, allowV4: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var words: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, allowV4, part.contains(".") {
                guard let quad = parseV4(part) else { return nil }
                words.append(UInt16(quad[0]) << 8 | UInt16(quad[1]))
                words.append(UInt16(quad[2]) << 8 | UInt16(quad[3]))
                continue
            }
            guard !part.isEmpty, part.count <= 4, part.allSatisfy(\.isHexDigit), let value = UInt16(part, radix: 16) else { return nil }
            words.append(value)
        }
        return words
    }

    /// RFC 5952: lowercase, no leading zeros, the longest run of two or more zero groups
    /// (the first when tied) shortened to `::`.
    static func formatV6(_ b: [UInt8]) -> String {
        let words = (0..<8).map { UInt16(b[2 * $0]) << 8 | UInt16(b[2 * $0 + 1]) }
        var bestStart = -1, bestLength = 0, index = 0
        while index < 8 {
            if words[index] == 0 {
                var end = index
                while end < 8, words[end] == 0 { end += 1 }
                if end - index > bestLength { bestStart = index; bestLength = end - index }
                index = end
            } else {
                index += 1
            }
        }
        if bestLength < 2 { bestStart = -1 }
        var text = ""
        index = 0
        while index < 8 {
            if index == bestStart {
                text += "::"
                index += bestLength
                continue
            }
            if !text.isEmpty, !text.hasSuffix(":") { text += ":" }
            text += String(words[index], radix: 16)
            index += 1
        }
        return text
    }
}
