import PolicyCompiler
import PolicyLanguage

/// Which policies of a run include which: a file given on the command line that another
/// policy of the same run includes (a shared piece) is linted as part of its includers,
/// not as a policy of its own.
struct IncludeGraph {
    /// Normalized path of each readable root: the normalized paths of the files it reaches
    /// (itself and its includes, transitively).
    private var reach: [String: Set<String>] = [:]

    /// `roots`: every policy of the run (all configurations), as given.
    init(_ loaded: PolicyLoader.Loaded, roots: [String]) {
        let unreadable = Set(loaded.unreadable.map(\.path))
        for root in roots where !unreadable.contains(root) {
            let key = PolicyLoader.normalize(root)
            guard reach[key] == nil else { continue }
            reach[key] = Set(SemanticAnalyzer.files(reachableFrom: root, in: loaded).map { PolicyLoader.normalize($0.path) })
        }
    }

    /// The roots of the run (normalized) that include `root`, directly or not, except those
    /// `excluded` says to leave out (the ignored ones).
    func includers(of root: String, excluding excluded: (String) -> Bool = { _ in false }) -> [String] {
        let key = PolicyLoader.normalize(root)
        return reach.filter { $0.key != key && $0.value.contains(key) && !excluded($0.key) }.map(\.key).sorted()
    }
}
