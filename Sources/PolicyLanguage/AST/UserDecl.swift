import Diagnostics

/// `user alice key "keys/alice.pub" member-of hospital-lyon clearance high`.
public struct UserDecl: Hashable, Sendable {
    public var name: Identifier
    public var key: KeyReference?
    public var memberOf: SlabList<Identifier>
    /// The confidentiality level the user is cleared for.
    public var clearance: Identifier?
    public var range: SourceRange

    public init(name: Identifier, key: KeyReference?, memberOf: SlabList<Identifier>, clearance: Identifier?, range: SourceRange) {
        self.name = name
        self.key = key
        self.memberOf = memberOf
        self.clearance = clearance
        self.range = range
    }
}
