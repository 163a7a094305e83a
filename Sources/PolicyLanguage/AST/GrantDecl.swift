import Diagnostics

/// `grant bob via alice ssh on worker during T1 .. T2`: rights given to a user,
/// directly by the registrar or, with `via`, delegated through another user.
public struct GrantDecl: Hashable, Sendable {
    public enum Target: Hashable, Sendable {
        /// `on all`: every node and cluster of the vpxi.
        case all(SourceRange)
        case nodes(SlabList<Endpoint>)
    }

    public var grantee: Identifier
    /// The user who delegates (the grantee's cert is issued by them).
    public var via: Identifier?
    public var rights: SlabList<Right>
    public var target: Target
    /// An optional narrower window than the vpxi's.
    public var during: Window?
    private var start: UInt32

    public init(grantee: Identifier, via: Identifier?, rights: SlabList<Right>, target: Target, during: Window?, range: SourceRange) {
        self.grantee = grantee
        self.via = via
        self.rights = rights
        self.target = target
        self.during = during
        self.start = range.start
    }

    /// From `grant` to the end of the window or of the targets.
    public var range: SourceRange {
        let end: SourceRange
        if let during {
            end = during.range
        } else {
            switch target {
            case .all(let all): end = all
            case .nodes(let nodes): end = nodes[nodes.count - 1].range
            }
        }
        return SourceRange(file: grantee.range.file, start: start, end: end.end)
    }
}
