import Diagnostics
import PolicyLanguage

/// What semantic analysis produces: the resolved model and the diagnostics.
public struct SemanticResult: Sendable {
    /// The resolved policy. When there are errors, it holds what could be resolved
    /// (references that failed are left out), for tools that want to look anyway.
    public var model: PolicyModel
    /// Sorted by location.
    public var diagnostics: [Diagnostic]

    public var hasErrors: Bool { diagnostics.hasErrors }
}

/// Semantic analysis: binds every name of a loaded policy (its files and their includes)
/// to its declaration, expands ranges, converts units, loads keys, checks dates and
/// durations, and checks the rules of `SemanticError` (E0100–E0117).
///
/// Declarations are global across a policy's files; nodes and clusters are scoped to
/// their vpxi. Registrars, users and hosts share one name space, the key store's.
public struct SemanticAnalyzer {
    let sources: SourceManager
    let keys: KeyLoader
    var model = PolicyModel()
    var names = NameTable()
    var diagnostics: [Diagnostic] = []
    /// The path of each loaded file, by file id (key paths are relative to it).
    var paths: [FileID: String] = [:]

    init(sources: SourceManager, keys: KeyLoader) {
        self.sources = sources
        self.keys = keys
    }

    /// Analyses the policy rooted at the first file `loaded` holds: that file and the
    /// files it includes, transitively. Call it only when loading found no syntax errors:
    /// analysing a broken tree would report follow-on errors.
    public static func analyze(_ loaded: PolicyLoader.Loaded, keys: KeyLoader) -> SemanticResult {
        guard let root = loaded.files.first else { return SemanticResult(model: PolicyModel(), diagnostics: []) }
        return analyze(root: root.path, in: loaded, keys: keys)
    }

    /// Analyses the policy rooted at the loaded file `root` (a path as given to the
    /// loader): it and the files it includes, transitively, in the order loaded. Other
    /// files of `loaded` (other roots) are not part of it.
    public static func analyze(root: String, in loaded: PolicyLoader.Loaded, keys: KeyLoader) -> SemanticResult {
        let files = Self.files(reachableFrom: root, in: loaded)
        var analyzer = SemanticAnalyzer(sources: loaded.sources, keys: keys)
        for file in files { analyzer.paths[file.source.id] = file.path }
        let declarations = files.flatMap(\.policy.declarations)
        analyzer.declareGlobals(declarations)
        analyzer.resolvePool(declarations)
        for case .vpxi(let decl) in declarations { analyzer.resolveVPXI(decl) }
        return SemanticResult(model: analyzer.model, diagnostics: analyzer.diagnostics.sortedByLocation())
    }

    /// `root` and the files it includes, transitively, in load order.
    public static func files(reachableFrom root: String, in loaded: PolicyLoader.Loaded) -> [PolicyLoader.LoadedFile] {
        var byPath: [String: Int] = [:]
        for (index, file) in loaded.files.enumerated() where byPath[PolicyLoader.normalize(file.path)] == nil {
            byPath[PolicyLoader.normalize(file.path)] = index
        }
        var reached = Set<Int>()
        var stack = [PolicyLoader.normalize(root)]
        while let path = stack.popLast() {
            guard let index = byPath[path], reached.insert(index).inserted else { continue }
            let file = loaded.files[index]
            for include in file.policy.includes {
                stack.append(PolicyLoader.normalize(PolicyLoader.resolve(include.path.value, relativeTo: file.path)))
            }
        }
        return loaded.files.indices.filter(reached.contains).map { loaded.files[$0] }
    }

    mutating func report(_ error: SemanticError, _ message: String, at range: SourceRange, label: String? = nil,
                         notes: [Diagnostic.Note] = [], help: String?, fixIts: [Diagnostic.FixIt] = []) {
        diagnostics.append(error.diagnostic(message, at: range, label: label, notes: notes, help: help, fixIts: fixIts))
    }

    /// `file:line:col` of a range, for notes.
    func position(_ range: SourceRange) -> String { sources.describe(range) }

    // MARK: Names

    /// Declares every global name first, so that declarations may refer to names declared
    /// later or in included files.
    mutating func declareGlobals(_ declarations: [Declaration]) {
        func declare(_ name: String, _ kind: NameTable.Kind, _ range: SourceRange) {
            if let (earlierKind, earlier) = names.declare(name, kind: kind, range: range) {
                let shared = earlierKind != kind
                report(.duplicateName, "\(kind.rawValue) `\(name)` is declared twice" + (shared ? " (also as a \(earlierKind.rawValue))" : ""),
                       at: range, label: "declared again here",
                       notes: [Diagnostic.Note("first declared here", at: earlier.range)]
                           + (shared ? [Diagnostic.Note("registrars, users and hosts share one name space: the key store holds their private keys by name")] : []),
                       help: "rename one of them")
            }
        }
        for declaration in declarations {
            switch declaration {
            case .registrar(let decl): declare(decl.name.text, .registrar, decl.name.range)
            case .community(let decl): declare(decl.name.text, .community, decl.name.range)
            case .user(let decl): declare(decl.name.text, .user, decl.name.range)
            case .vpxi(let decl): declare(decl.name.text, .vpxi, decl.name.range)
            case .host(let decl):
                for (name, _) in decl.name.expanded() { declare(name, .host, decl.name.range) }
                for site in decl.properties.names(.site) { names.declareShared(site.text, kind: .site, range: site.range) }
            case .include:
                break
            }
        }
    }

    /// The index of the `kind` named by `identifier`, or a diagnostic: unknown (with a
    /// suggestion) or of another kind.
    mutating func resolve(_ identifier: Identifier, as kind: NameTable.Kind, role: String? = nil) -> Int? {
        if let entry = names.lookup(identifier.text, kind: kind) { return entry.index }  // nil: its own errors were reported
        let what = role ?? kind.rawValue
        if let other = names.kinds(of: identifier.text).first, let entry = names.lookup(identifier.text, kind: other) {
            let candidates = names.names(of: kind)
            report(.wrongKindOfName, "expected a \(kind.rawValue) for the \(what), but `\(identifier.text)` is a \(other.rawValue)",
                   at: identifier.range, label: "a \(other.rawValue)",
                   notes: [Diagnostic.Note("`\(identifier.text)` is declared here", at: entry.range)],
                   help: candidates.isEmpty ? "declare a \(kind.rawValue) first" : "the \(kind.rawValue)s are \(Self.list(candidates))")
            return nil
        }
        let candidates = names.names(of: kind)
        var help: String
        if kind == .site {
            help = candidates.isEmpty ? "no host declares a `site`" : "sites are declared by hosts; use one of \(Self.list(candidates))"
        } else {
            help = candidates.isEmpty ? "declare it: no \(kind.rawValue) is declared" : "declare it, or use one of \(Self.list(candidates))"
        }
        var fixIts: [Diagnostic.FixIt] = []
        if let suggestion = SpellingSuggestion.closest(to: identifier.text, in: candidates),
           let entry = names.lookup(suggestion, kind: kind) {
            help = "did you mean `\(suggestion)`? (declared at \(position(entry.range)))"
            fixIts = [.replace(identifier.range, with: suggestion, "replace `\(identifier.text)` with `\(suggestion)`")]
        }
        report(.unknownName, "unknown \(kind.rawValue) `\(identifier.text)`", at: identifier.range, label: "not declared",
               help: help, fixIts: fixIts)
        return nil
    }

    /// `a`, `b` and `c`, at most 8 of them.
    static func list(_ names: [String]) -> String {
        let quoted = names.prefix(8).map { "`\($0)`" }
        let more = names.count > 8 ? " (and \(names.count - 8) more)" : ""
        guard quoted.count > 1 else { return (quoted.first ?? "") + more }
        return quoted.dropLast().joined(separator: ", ") + " and " + quoted.last! + more
    }
}
