import Diagnostics

/// `node files { function storage disk 200 GiB }`: one virtual machine.
public struct NodeDecl: Hashable, Sendable {
    // Field order keeps the struct at 61 bytes, so that a `VPXIMember` is 64.
    public var name: Identifier
    private var start: UInt32
    public var properties: SlabList<Property>
    /// From `{` to `}`; nil when the node has no body.
    public var body: SourceRange?

    public init(name: Identifier, properties: SlabList<Property>, body: SourceRange?, range: SourceRange) {
        self.name = name
        self.properties = properties
        self.body = body
        self.start = range.start
    }

    /// From `node` to the end of the name or of the body.
    public var range: SourceRange { SourceRange(file: name.range.file, start: start, end: (body ?? name.range).end) }
}
