import Diagnostics

/// `node files { function storage disk 200 GiB }`: one virtual machine.
public struct NodeDecl: Hashable, Sendable {
    public var name: Identifier
    public var properties: [Property]
    /// From `{` to `}`; nil when the node has no body.
    public var body: SourceRange?
    public var range: SourceRange

    public init(name: Identifier, properties: [Property], body: SourceRange?, range: SourceRange) {
        self.name = name
        self.properties = properties
        self.body = body
        self.range = range
    }
}
