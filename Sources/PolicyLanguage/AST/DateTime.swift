import Diagnostics

/// An RFC 3339 instant (seconds optional): `2026-12-01T08:00Z`,
/// `2026-12-01T09:00:00+01:00`, or a date alone, meaning midnight UTC.
public struct DateTime: Hashable, Sendable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSinceEpoch: Int64
    /// The offset from UTC as written, in minutes.
    public var utcOffsetMinutes: Int16
    public var range: SourceRange

    public init(secondsSinceEpoch: Int64, utcOffsetMinutes: Int16, range: SourceRange) {
        self.secondsSinceEpoch = secondsSinceEpoch
        self.utcOffsetMinutes = utcOffsetMinutes
        self.range = range
    }
}
