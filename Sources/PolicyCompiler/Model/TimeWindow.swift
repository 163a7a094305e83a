import SPKI

/// A period of time `start ... end`, both included, in seconds since
/// 1970-01-01T00:00:00Z (what SPKI validities say: `not-before`, `not-after`).
public struct TimeWindow: Hashable, Sendable, CustomStringConvertible {
    public var start: Int64
    public var end: Int64

    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    /// Whether no instant is inside (the end is not after the start).
    public var isEmpty: Bool { end <= start }

    public var duration: Int64 { end - start }

    public func contains(_ time: Int64) -> Bool { time >= start && time <= end }

    /// Whether every instant of `other` is inside this window.
    public func includes(_ other: TimeWindow) -> Bool { other.start >= start && other.end <= end }

    /// The instants inside both (possibly empty).
    public func intersection(_ other: TimeWindow) -> TimeWindow {
        TimeWindow(start: max(start, other.start), end: min(end, other.end))
    }

    /// The SPKI validity `(valid (not-before S) (not-after E))`.
    public var validity: Validity {
        Validity(notBefore: SPKIDate(secondsSinceEpoch: start), notAfter: SPKIDate(secondsSinceEpoch: end))
    }

    /// `2026-12-01T08:00:00Z .. 2026-12-21T20:00:00Z`.
    public var description: String { "\(Self.format(start)) .. \(Self.format(end))" }

    /// RFC 3339 in UTC.
    public static func format(_ time: Int64) -> String { SPKIDate(secondsSinceEpoch: time).rfc3339 }
}

/// Durations as people write them: `36h`, `2d`, `90min`, `1d12h`.
public enum DurationText {
    /// In the largest unit that divides it exactly, as one would write it in a policy:
    /// `36h`, `2d`, `90min`, `1w`.
    public static func format(_ seconds: Int64) -> String {
        for (unit, size) in [("w", Int64(604_800)), ("d", 86_400), ("h", 3_600), ("min", 60)] where seconds >= size && seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }
}
