import Diagnostics
import PolicyCompiler
import PolicyLanguage
import ToolSupport

/// Loading a policy for a command: parse it and its includes, then (when parsing found
/// no errors) analyse it. Prints the diagnostics; fails with the right exit status.
struct PolicyInput {
    let loaded: PolicyLoader.Loaded
    /// One result per file given (each file and its includes is one policy).
    let semantic: [PolicyAnalysis]

    /// Every diagnostic, each once (a file included by two policies is analysed twice).
    var diagnostics: [Diagnostic] {
        var seen = Set<Diagnostic>()
        return (loaded.diagnostics + semantic.flatMap(\.diagnostics)).filter { seen.insert($0).inserted }
    }

    static let keyLoader = KeyLoader(read: { FileAccess.read($0) })

    /// Parses `paths`; analyses them unless `syntaxOnly` or there are syntax errors.
    static func load(_ paths: [String], maxErrors: Int = 20, syntaxOnly: Bool = false) -> PolicyInput {
        let loaded = PolicyLoader(options: .init(errorLimit: maxErrors), read: FileAccess.read).load(paths)
        guard !syntaxOnly else { return PolicyInput(loaded: loaded, semantic: []) }
        // Each file given is a policy with its includes; one with syntax errors (or an
        // unreadable include) is not analysed, so that an error is not followed by a cascade.
        let unreadable = Set(loaded.unreadable.map(\.path))
        let broken = Set(loaded.diagnostics.filter { $0.severity == .error }.map(\.range.file))
        var roots: [String] = []
        for path in paths where !roots.contains(path) && !unreadable.contains(path) { roots.append(path) }
        let results = roots.compactMap { root -> PolicyAnalysis? in
            let files = SemanticAnalyzer.files(reachableFrom: root, in: loaded)
            guard !files.isEmpty, files.allSatisfy({ !broken.contains($0.source.id) }) else { return nil }
            return PolicyAnalysis.analyze(root: root, in: loaded, keys: keyLoader)
        }
        return PolicyInput(loaded: loaded, semantic: results)
    }

    /// Loads one policy for compile, test or graph: prints its diagnostics (human form)
    /// and fails with exit 2 when it cannot be read or has errors.
    static func loadForCompilation(_ path: String) throws -> (PolicyInput, PolicyAnalysis) {
        let input = load([path])
        if !input.diagnostics.isEmpty {
            Console.err(String(DiagnosticOutput.render(input.diagnostics, sources: input.loaded.sources, format: .human).dropLast()))
        }
        for (path, reason) in input.loaded.unreadable {
            throw CommandFailure(.badInput, "cannot read `\(path)`: \(reason)")
        }
        let errors = input.diagnostics.errorCount
        guard errors == 0, let semantic = input.semantic.first else {
            // A policy that is sound but cannot be placed on its pool is a refusal (1);
            // errors in the policy itself are bad input (2).
            let placementCodes: Set<String> = [SemanticError.noEligibleHost, .poolExhausted, .costExceeded].map(\.rawValue).reduce(into: []) { $0.insert($1) }
            let onlyPlacement = input.diagnostics.filter { $0.severity == .error }.allSatisfy { placementCodes.contains($0.code.rawValue) }
            throw CommandFailure(onlyPlacement && errors > 0 ? .refused : .badInput,
                                 "`\(path)` has \(errors) error\(errors == 1 ? "" : "s"); nothing compiled")
        }
        return (input, semantic)
    }
}
