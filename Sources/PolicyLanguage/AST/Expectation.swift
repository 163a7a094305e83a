import Diagnostics

/// `expect bob can ssh on worker[3] at 2026-12-02T10:00Z`.
public struct Expectation: Hashable, Sendable {
    public var user: Identifier
    public var right: Right
    public var target: Endpoint
    public var at: DateTime?
    private var start: UInt32
    /// `can` (true) or `cannot` (false).
    public var allowed: Bool

    public init(user: Identifier, allowed: Bool, right: Right, target: Endpoint, at: DateTime?, range: SourceRange) {
        self.user = user
        self.allowed = allowed
        self.right = right
        self.target = target
        self.at = at
        self.start = range.start
    }

    /// From `expect` to the end of the time or of the target.
    public var range: SourceRange {
        SourceRange(file: user.range.file, start: start, end: (at?.range ?? target.range).end)
    }
}
