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
