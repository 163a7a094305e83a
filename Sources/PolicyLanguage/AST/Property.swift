import Diagnostics

/// One property of a block, in source order: `cpus 4`, `trusted-by inria`.
public struct Property: Hashable, Sendable {
    // Stored value first: the keyword and range then fit in its tail padding, and a
    // property takes 48 bytes instead of 64.
    public var value: PropertyValue
    public var keyword: PropertyKeyword
    /// From the keyword to the end of the value.
    public var range: SourceRange

    public init(keyword: PropertyKeyword, value: PropertyValue, range: SourceRange) {
        self.keyword = keyword
        self.value = value
        self.range = range
    }
}

extension Array where Element == Property {
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
            case .names(let names): return names
            default: return []
            }
        }
    }
}
