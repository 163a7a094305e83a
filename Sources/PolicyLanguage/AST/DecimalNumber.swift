/// An exact decimal `mantissa / 10^scale`, as written (`0.5`, `512`).
public struct DecimalNumber: Hashable, Sendable {
    public var mantissa: Int64
    public var scale: UInt8

    public init(mantissa: Int64, scale: UInt8 = 0) {
        self.mantissa = mantissa
        self.scale = scale
    }

    /// The value when it is whole.
    public var integerValue: Int64? {
        var value = mantissa
        for _ in 0..<scale {
            guard value % 10 == 0 else { return nil }
            value /= 10
        }
        return value
    }

    public var doubleValue: Double {
        var value = Double(mantissa)
        for _ in 0..<scale { value /= 10 }
        return value
    }

    /// Parses `digits[.digits]`; nil on overflow or malformed text.
    public static func parse<C: Collection>(_ bytes: C) -> DecimalNumber? where C.Element == UInt8 {
        var mantissa: Int64 = 0
        var scale: UInt8 = 0
        var seenDot = false
        var digits = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if seenDot { return nil }
                seenDot = true
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times, overflow1) = mantissa.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(digit))
            guard !overflow1, !overflow2 else { return nil }
            mantissa = sum
            digits += 1
            if seenDot {
                guard scale < 18 else { return nil }
                scale += 1
            }
        }
        guard digits > 0, !(seenDot && scale == 0) else { return nil }
        return DecimalNumber(mantissa: mantissa, scale: scale)
    }
}
