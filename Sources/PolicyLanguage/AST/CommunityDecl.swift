import Diagnostics

/// `community inria`.
public struct CommunityDecl: Hashable, Sendable {
    public var name: Identifier
    public var range: SourceRange

    public init(name: Identifier, range: SourceRange) {
        self.name = name
        self.range = range
    }
}
