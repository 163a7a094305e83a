import Diagnostics

/// The syntax tree of one `.vp` file: its declarations in order, and its comments
/// (kept for the formatter).
public struct PolicyFile: Hashable, Sendable {
    public var file: FileID
    public var declarations: [Declaration]
    /// The range of every `# ...` comment, in order.
    public var comments: [SourceRange]

    public init(file: FileID, declarations: [Declaration], comments: [SourceRange]) {
        self.file = file
        self.declarations = declarations
        self.comments = comments
    }

    public var includes: [IncludeDecl] {
        declarations.compactMap { if case .include(let decl) = $0 { return decl } else { return nil } }
    }

    public var registrars: [RegistrarDecl] {
        declarations.compactMap { if case .registrar(let decl) = $0 { return decl } else { return nil } }
    }

    public var communities: [CommunityDecl] {
        declarations.compactMap { if case .community(let decl) = $0 { return decl } else { return nil } }
    }

    public var hosts: [HostDecl] {
        declarations.compactMap { if case .host(let decl) = $0 { return decl } else { return nil } }
    }

    public var users: [UserDecl] {
        declarations.compactMap { if case .user(let decl) = $0 { return decl } else { return nil } }
    }

    public var vpxis: [VPXIDecl] {
        declarations.compactMap { if case .vpxi(let decl) = $0 { return decl } else { return nil } }
    }
}
