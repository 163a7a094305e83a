import Diagnostics

/// A reference to a node or to members of a cluster: `files`, `worker[3]`,
/// `worker[1..4]`.
public struct Endpoint: Hashable, Sendable {
    public var name: Identifier
    public var range: SourceRange
    public var index: IndexRange?

    public init(name: Identifier, index: IndexRange?, range: SourceRange) {
        self.name = name
        self.index = index
        self.range = range
    }
}
