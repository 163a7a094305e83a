import Diagnostics

/// What a vpxi body holds, in source order. Properties and nodes, small and many,
/// are stored inline; the larger members are boxed (`indirect`).
public enum VPXIMember: Hashable, Sendable {
    case property(Property)
    case node(NodeDecl)
    indirect case cluster(ClusterDecl)
    indirect case link(LinkDecl)
    indirect case grant(GrantDecl)
    indirect case test(TestBlock)

    public var range: SourceRange {
        switch self {
        case .property(let member): return member.range
        case .node(let member): return member.range
        case .cluster(let member): return member.range
        case .link(let member): return member.range
        case .grant(let member): return member.range
        case .test(let member): return member.range
        }
    }
}
