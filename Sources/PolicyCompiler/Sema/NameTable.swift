import Diagnostics

/// The names a policy declares, by kind, with where each was declared: the global scope
/// of a policy and the files it includes. (Nodes and clusters are scoped to their vpxi;
/// see `MachineScope`.)
struct NameTable {
    enum Kind: String, CaseIterable {
        case registrar, community, host, user, vpxi, site

        /// Whether names of this kind share the principals' name space (the key store
        /// holds their private keys by name).
        var isPrincipal: Bool { self == .registrar || self == .host || self == .user }

        var article: String { self == .user ? "a" : "a" }
    }

    struct Entry {
        /// The index in the model, once resolved; nil while not yet resolved, or when the
        /// declaration had errors (then references to it are not reported again).
        var index: Int?
        let range: SourceRange
    }

    private var entries: [Kind: [String: Entry]] = [:]

    /// Declares `name`; returns the earlier declaration of the same name when it clashes
    /// (same kind, or two principal kinds).
    mutating func declare(_ name: String, kind: Kind, range: SourceRange) -> (Kind, Entry)? {
        let clashing: [Kind] = kind.isPrincipal ? Kind.allCases.filter(\.isPrincipal) : [kind]
        for other in clashing {
            if let earlier = entries[other]?[name] { return (other, earlier) }
        }
        entries[kind, default: [:]][name] = Entry(index: nil, range: range)
        return nil
    }

    /// Declares a name that may legitimately repeat (a site named by several hosts).
    mutating func declareShared(_ name: String, kind: Kind, range: SourceRange) {
        if entries[kind]?[name] == nil { entries[kind, default: [:]][name] = Entry(index: 0, range: range) }
    }

    func lookup(_ name: String, kind: Kind) -> Entry? { entries[kind]?[name] }

    /// Records the model index of a declared name.
    mutating func bind(_ name: String, kind: Kind, to index: Int) { entries[kind]?[name]?.index = index }

    /// The kinds under which `name` is declared.
    func kinds(of name: String) -> [Kind] { Kind.allCases.filter { entries[$0]?[name] != nil } }

    func names(of kind: Kind) -> [String] { (entries[kind] ?? [:]).keys.sorted() }
}
