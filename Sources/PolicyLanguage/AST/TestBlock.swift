import Diagnostics

/// `test { expect ... }`: expectations that the compiler checks by reducing the
/// compiled certificate chains.
public struct TestBlock: Hashable, Sendable {
    public var expectations: SlabList<Expectation>
    public var body: SourceRange
    public var range: SourceRange

    public init(expectations: SlabList<Expectation>, body: SourceRange, range: SourceRange) {
        self.expectations = expectations
        self.body = body
        self.range = range
    }
}
