import Diagnostics

/// `registrar lyon key "keys/lyon.pub"`.
public struct RegistrarDecl: Hashable, Sendable {
    public var name: Identifier
    public var key: KeyReference?
    public var range: SourceRange

    public init(name: Identifier, key: KeyReference?, range: SourceRange) {
        self.name = name
        self.key = key
        self.range = range
    }
}
