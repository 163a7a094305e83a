import Diagnostics

/// One property of a block, in source order: `cpus 4`, `trusted-by inria`.
public struct Property: Hashable, Sendable {
    // The value first, so that the keyword and start fit in its tail padding; the
    // end of the range is the end of the value. A property takes 40 bytes.
    public var value: PropertyValue
    public var keyword: PropertyKeyword
    private var start: UInt32

    public init(keyword: PropertyKeyword, value: PropertyValue, range: SourceRange) {
        self.keyword = keyword
        self.value = value
        self.start = range.start
    }

    /// From the keyword to the end of the value.
    public var range: SourceRange {
        let end = value.range
        return SourceRange(file: end.file, start: start, end: end.end)
    }
}

extension Collection where Element == Property {
    /// The first property of the given kind.
    public func first(_ keyword: PropertyKeyword) -> Property? {
        first { $0.keyword == keyword }
    }

    /// The quantity of the first property of the given kind.
    public func quantity(_ keyword: PropertyKeyword) -> Quantity? {
        if case .quantity(let quantity)? = first(keyword)?.value { return quantity }
        return nil
    }

    /// The names of every property of the given kind, flattened.
    public func names(_ keyword: PropertyKeyword) -> [Identifier] {
        lazy.filter { $0.keyword == keyword }.flatMap { property -> [Identifier] in
            switch property.value {
            case .name(let name): return [name]
            case .names(let names): return Array(names)
            default: return []
            }
        }
    }
}
