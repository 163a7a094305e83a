import Diagnostics

/// A host name, possibly a range of names: `sophia-01`, `capricorne-[01..35]`.
public struct NamePattern: Hashable, Sendable {
    public var base: Identifier
    public var indices: IndexRange?

    public init(base: Identifier, indices: IndexRange?) {
        self.base = base
        self.indices = indices
    }

    /// From the name to the `]` of the range, if any.
    public var range: SourceRange { indices.map { base.range.union($0.range) } ?? base.range }

    /// The names the pattern stands for, in order, with the index of each
    /// (the value a locator template's `index` takes).
    public func expanded() -> [(name: String, index: Int?)] {
        guard let indices else { return [(base.text, nil)] }
        return (indices.lower...indices.upper).map { (base.text + indices.suffix($0), $0) }
    }
}
