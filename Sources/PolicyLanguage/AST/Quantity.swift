import Diagnostics

/// A number with an optional unit: `4`, `8 GiB`, `36h`, `40 units/hour`.
public struct Quantity: Hashable, Sendable {
    public var number: DecimalNumber
    public var unit: Unit?
    /// Where the number ends (it starts the range).
    private var numberEnd: UInt32
    /// Number and unit.
    public var range: SourceRange

    public init(number: DecimalNumber, unit: Unit?, numberRange: SourceRange, range: SourceRange) {
        self.number = number
        self.unit = unit
        self.numberEnd = numberRange.end
        self.range = range
    }

    /// The range of the number alone (its text is what the formatter prints).
    public var numberRange: SourceRange {
        SourceRange(file: range.file, start: range.start, end: numberEnd)
    }

    /// The value in base units: bytes, bits per second, milliseconds, units per hour.
    public var baseValue: Double { number.doubleValue * (unit?.factor ?? 1) }

    /// For a time quantity: whole seconds (rounded down).
    public var seconds: Int64? {
        guard unit?.dimension == .time else { return nil }
        return Int64(baseValue / 1000)
    }
}
