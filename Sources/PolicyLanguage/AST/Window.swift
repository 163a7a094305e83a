import Diagnostics

/// A time interval `start .. end`.
public struct Window: Hashable, Sendable {
    public var start: DateTime
    public var end: DateTime

    public init(start: DateTime, end: DateTime) {
        self.start = start
        self.end = end
    }

    /// From the start's first byte to the end's last.
    public var range: SourceRange { start.range.union(end.range) }
}
