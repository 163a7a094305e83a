/// The orderings of `(* range ORD ...)` and how each compares two byte strings.
///
/// - `alpha`: byte order (lexicographic over unsigned bytes): "1900" < "199".
/// - `numeric`: signed decimal numbers, `[+-]?DIGITS[.DIGITS]` (also `.5` and `5.`),
///   compared exactly by value at any length: no exponent, no rounding, so "1900" > "199",
///   "2.50" = "2.5" and "-0" = "0".
/// - `time`: `HH:MM:SS`, hours 00-23, minutes and seconds 00-59.
/// - `binary`: unsigned big-endian integers of any length: leading zero bytes are ignored,
///   so "bar" > "c".
/// - `date`: SPKI dates `YYYY-MM-DD_HH:MM:SS`, calendar-checked; truncated prefixes are
///   read with the missing fields at their smallest value.
///
/// A byte string that is not a value of the ordering is in no range of that ordering.
public enum RangeOrdering: String, CaseIterable, Hashable, Sendable {
    case alpha, numeric, time, binary, date

    /// Whether `bytes` is a value of this ordering.
    public func accepts(_ bytes: [UInt8]) -> Bool {
        switch self {
        case .alpha, .binary: return true
        case .numeric: return Self.decimal(bytes) != nil
        case .time: return Self.timeOfDay(bytes) != nil
        case .date: return (try? SPKIDate.parse(spki: bytes)) != nil
        }
    }

    /// Compares two values of this ordering: negative, zero or positive. Both must be
    /// accepted by `accepts`.
    public func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        switch self {
        case .alpha:
            return Self.lexicographic(a[...], b[...])
        case .binary:
            let x = a.drop { $0 == 0 }, y = b.drop { $0 == 0 }
            if x.count != y.count { return x.count < y.count ? -1 : 1 }
            return Self.lexicographic(x, y)
        case .numeric:
            guard let x = Self.decimal(a), let y = Self.decimal(b) else { return 0 }
            return x.compare(y)
        case .time:
            guard let x = Self.timeOfDay(a), let y = Self.timeOfDay(b) else { return 0 }
            return x == y ? 0 : (x < y ? -1 : 1)
        case .date:
            guard let x = try? SPKIDate.parse(spki: a).date, let y = try? SPKIDate.parse(spki: b).date else { return 0 }
            return x == y ? 0 : (x < y ? -1 : 1)
        }
    }

    /// Why `bytes` is not a value of this ordering (for messages).
    func problem(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        switch self {
        case .alpha, .binary: return ""
        case .numeric: return "`\(text)` is not a decimal number (`[+-]DIGITS[.DIGITS]`)"
        case .time: return "`\(text)` is not a time of day `HH:MM:SS` (00-23, 00-59, 00-59)"
        case .date:
            do {
                _ = try SPKIDate.parse(spki: bytes)
                return ""
            } catch {
                return error.message
            }
        }
    }

    static func lexicographic(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
        var i = a.startIndex, j = b.startIndex
        while i < a.endIndex && j < b.endIndex {
            if a[i] != b[j] { return a[i] < b[j] ? -1 : 1 }
            i += 1
            j += 1
        }
        if i == a.endIndex && j == b.endIndex { return 0 }
        return i == a.endIndex ? -1 : 1
    }

    /// Seconds since midnight of `HH:MM:SS`.
    static func timeOfDay(_ bytes: [UInt8]) -> Int? {
        guard bytes.count == 8, bytes[2] == UInt8(ascii: ":"), bytes[5] == UInt8(ascii: ":") else { return nil }
        func two(_ i: Int) -> Int? {
            let d0 = Int(bytes[i]) - 48, d1 = Int(bytes[i + 1]) - 48
            guard (0...9).contains(d0), (0...9).contains(d1) else { return nil }
            return d0 * 10 + d1
        }
        guard let h = two(0), let m = two(3), let s = two(6), h <= 23, m <= 59, s <= 59 else { return nil }
        return h * 3600 + m * 60 + s
    }

    /// An exact decimal: sign, integer digits without leading zeros, fraction digits
    /// without trailing zeros.
    struct Decimal {
        var negative: Bool
        var integer: ArraySlice<UInt8>
        var fraction: ArraySlice<UInt8>

        func compare(_ other: Decimal) -> Int {
            if negative != other.negative { return negative ? -1 : 1 }
            let magnitude = compareMagnitude(other)
            return negative ? -magnitude : magnitude
        }

        func compareMagnitude(_ other: Decimal) -> Int {
            if integer.count != other.integer.count { return integer.count < other.integer.count ? -1 : 1 }
            let byInteger = RangeOrdering.lexicographic(integer, other.integer)
            if byInteger != 0 { return byInteger }
            return RangeOrdering.lexicographic(fraction, other.fraction)
        }
    }

    static func decimal(_ bytes: [UInt8]) -> Decimal? {
        var i = 0
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        let intStart = i
        while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 { i += 1 }
        let intEnd = i
        var fracStart = i, fracEnd = i
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            fracStart = i
            while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 { i += 1 }
            fracEnd = i
        }
        guard i == bytes.count, intEnd > intStart || fracEnd > fracStart else { return nil }
        var integer = bytes[intStart..<intEnd]
        while integer.first == 48 { integer = integer.dropFirst() }
        var fraction = bytes[fracStart..<fracEnd]
        while fraction.last == 48 { fraction = fraction.dropLast() }
        if integer.isEmpty && fraction.isEmpty { negative = false }
        return Decimal(negative: negative, integer: integer, fraction: fraction)
    }
}
