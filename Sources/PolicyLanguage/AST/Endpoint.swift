import Diagnostics

/// A reference to a node or to members of a cluster: `files`, `worker[3]`,
/// `worker[1..4]`.
public struct Endpoint: Hashable, Sendable {
    public var name: Identifier
    public var index: IndexRange?

    public init(name: Identifier, index: IndexRange?) {
        self.name = name
        self.index = index
    }

    /// From the name to the `]` of the index, if any.
    public var range: SourceRange { index.map { name.range.union($0.range) } ?? name.range }
}
