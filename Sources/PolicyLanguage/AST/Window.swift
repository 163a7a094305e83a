import Diagnostics

/// A time interval `start .. end`.
public struct Window: Hashable, Sendable {
    public var start: DateTime
    public var end: DateTime
    public var range: SourceRange

    public init(start: DateTime, end: DateTime, range: SourceRange) {
        self.start = start
        self.end = end
        self.range = range
    }
}
