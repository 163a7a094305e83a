/// A comparison bound on a link attribute: `bandwidth >= 1 Gbps`.
public struct Bound: Hashable, Sendable {
    public enum Comparison: String, Sendable {
        case atLeast = ">="
        case atMost = "<="
    }

    public var quantity: Quantity
    public var comparison: Comparison
    /// Whether the operator was written (it may be left implicit).
    public var isExplicit: Bool

    public init(comparison: Comparison, quantity: Quantity, isExplicit: Bool) {
        self.comparison = comparison
        self.quantity = quantity
        self.isExplicit = isExplicit
    }
}
