/// Certificate lifetime and renewal period.
public struct Lifetime: Hashable, Sendable {
    public var valid: Quantity
    public var renewEvery: Quantity?

    public init(valid: Quantity, renewEvery: Quantity?) {
        self.valid = valid
        self.renewEvery = renewEvery
    }
}
