import Diagnostics

/// `vpxi bronze-standard { ... }`: a requested virtual infrastructure.
public struct VPXIDecl: Hashable, Sendable {
    public var name: Identifier
    public var members: SlabList<VPXIMember>
    /// From `{` to `}`.
    public var body: SourceRange
    public var range: SourceRange

    public init(name: Identifier, members: SlabList<VPXIMember>, body: SourceRange, range: SourceRange) {
        self.name = name
        self.members = members
        self.body = body
        self.range = range
    }

    public var properties: [Property] {
        members.compactMap { if case .property(let property) = $0 { return property } else { return nil } }
    }

    public var nodes: [NodeDecl] {
        members.compactMap { if case .node(let node) = $0 { return node } else { return nil } }
    }

    public var clusters: [ClusterDecl] {
        members.compactMap { if case .cluster(let cluster) = $0 { return cluster } else { return nil } }
    }

    public var links: [LinkDecl] {
        members.compactMap { if case .link(let link) = $0 { return link } else { return nil } }
    }

    public var grants: [GrantDecl] {
        members.compactMap { if case .grant(let grant) = $0 { return grant } else { return nil } }
    }

    public var tests: [TestBlock] {
        members.compactMap { if case .test(let test) = $0 { return test } else { return nil } }
    }
}

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
