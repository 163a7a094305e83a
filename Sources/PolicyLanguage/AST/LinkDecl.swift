import Diagnostics

/// `link worker <-> files { bandwidth >= 1 Gbps latency <= 10 ms protect aes-128-gcm }`.
public struct LinkDecl: Hashable, Sendable {
    public enum Direction: String, Sendable {
        case both = "<->"
        case forward = "->"
    }

    public var from: Endpoint
    public var to: Endpoint
    public var direction: Direction
    public var properties: SlabList<Property>
    public var body: SourceRange?
    private var start: UInt32

    public init(from: Endpoint, to: Endpoint, direction: Direction, properties: SlabList<Property>, body: SourceRange?, range: SourceRange) {
        self.from = from
        self.to = to
        self.direction = direction
        self.properties = properties
        self.body = body
        self.start = range.start
    }

    /// From `link` to the end of the body or of the second endpoint.
    public var range: SourceRange {
        SourceRange(file: from.name.range.file, start: start, end: (body ?? to.range).end)
    }
}
