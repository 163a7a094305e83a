import Diagnostics

/// `host capricorne-[01..35] { locator ... cpus 4 ... }`: one physical machine
/// of the pool, or a range of them.
public struct HostDecl: Hashable, Sendable {
    public var name: NamePattern
    public var properties: SlabList<Property>
    /// From `{` to `}`.
    public var body: SourceRange
    private var start: UInt32

    public init(name: NamePattern, properties: SlabList<Property>, body: SourceRange, range: SourceRange) {
        self.name = name
        self.properties = properties
        self.body = body
        self.start = range.start
    }

    /// From `host` to `}`.
    public var range: SourceRange { SourceRange(file: body.file, start: start, end: body.end) }
}
