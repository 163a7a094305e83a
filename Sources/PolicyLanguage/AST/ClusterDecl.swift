import Diagnostics

/// `cluster worker[32] { ... }`: `size` identical virtual machines `worker[1]`
/// to `worker[32]`.
public struct ClusterDecl: Hashable, Sendable {
    public var name: Identifier
    public var size: Int
    /// From `[` to `]`.
    public var sizeRange: SourceRange
    public var properties: SlabList<Property>
    public var body: SourceRange?
    public var range: SourceRange

    public init(name: Identifier, size: Int, sizeRange: SourceRange, properties: SlabList<Property>, body: SourceRange?, range: SourceRange) {
        self.name = name
        self.size = size
        self.sizeRange = sizeRange
        self.properties = properties
        self.body = body
        self.range = range
    }
}
