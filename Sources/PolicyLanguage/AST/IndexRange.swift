import Diagnostics

/// A range of indices `[lower..upper]` (inclusive), or a single index `[n]`.
/// `width` is the number of digits of the lower bound as written, so that
/// `[01..35]` names `01` to `35`.
public struct IndexRange: Hashable, Sendable {
    public var lower: Int { Int(storedLower) }
    public var upper: Int { Int(storedUpper) }
    private var storedLower: Int32
    private var storedUpper: Int32
    public var width: UInt8
    /// Whether it was written as a range (`[1..4]`) rather than one index (`[3]`).
    public var isRange: Bool
    /// From `[` to `]`.
    public var range: SourceRange

    public init(lower: Int, upper: Int, width: UInt8, isRange: Bool, range: SourceRange) {
        self.storedLower = Int32(clamping: lower)
        self.storedUpper = Int32(clamping: upper)
        self.width = width
        self.isRange = isRange
        self.range = range
    }

    public var count: Int { upper - lower + 1 }

    /// The index `value` as a name suffix, zero-padded to `width`.
    public func suffix(_ value: Int) -> String {
        let digits = String(value)
        return digits.count < Int(width) ? String(repeating: "0", count: Int(width) - digits.count) + digits : digits
    }
}
