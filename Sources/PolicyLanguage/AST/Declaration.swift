import Diagnostics

/// A top-level declaration of a policy file.
/// Each case is boxed (`indirect`), so that a list of declarations costs one word
/// per entry plus what each declaration itself needs.
public indirect enum Declaration: Hashable, Sendable {
    case include(IncludeDecl)
    case registrar(RegistrarDecl)
    case community(CommunityDecl)
    case host(HostDecl)
    case user(UserDecl)
    case vpxi(VPXIDecl)

    public var range: SourceRange {
        switch self {
        case .include(let decl): return decl.range
        case .registrar(let decl): return decl.range
        case .community(let decl): return decl.range
        case .host(let decl): return decl.range
        case .user(let decl): return decl.range
        case .vpxi(let decl): return decl.range
        }
    }
}

/// `include "common.vp"`: the declarations of another file, by path relative to
/// this one.
public struct IncludeDecl: Hashable, Sendable {
    public var path: StringLiteral
    public var range: SourceRange

    public init(path: StringLiteral, range: SourceRange) {
        self.path = path
        self.range = range
    }
}

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

/// `community inria`.
public struct CommunityDecl: Hashable, Sendable {
    public var name: Identifier
    public var range: SourceRange

    public init(name: Identifier, range: SourceRange) {
        self.name = name
        self.range = range
    }
}
