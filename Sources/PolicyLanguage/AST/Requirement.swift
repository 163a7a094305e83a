/// A placement requirement of a vpxi, node or cluster.
public struct Requirement: Hashable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case trustedBy = "trusted-by"
        case hypervisor
        case site
    }

    public var kind: Kind
    public var values: SlabList<Identifier>

    public init(kind: Kind, values: SlabList<Identifier>) {
        self.kind = kind
        self.values = values
    }
}
