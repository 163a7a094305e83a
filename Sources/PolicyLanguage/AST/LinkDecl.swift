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
    public var range: SourceRange

    public init(from: Endpoint, to: Endpoint, direction: Direction, properties: SlabList<Property>, body: SourceRange?, range: SourceRange) {
        self.from = from
        self.to = to
        self.direction = direction
        self.properties = properties
        self.body = body
        self.range = range
    }
}
