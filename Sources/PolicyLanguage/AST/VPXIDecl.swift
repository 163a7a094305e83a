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
