import Diagnostics

/// `host capricorne-[01..35] { locator ... cpus 4 ... }`: one physical machine
/// of the pool, or a range of them.
public struct HostDecl: Hashable, Sendable {
    public var name: NamePattern
    public var properties: [Property]
    /// From `{` to `}`.
    public var body: SourceRange
    public var range: SourceRange

    public init(name: NamePattern, properties: [Property], body: SourceRange, range: SourceRange) {
        self.name = name
        self.properties = properties
        self.body = body
        self.range = range
    }
}
