import Diagnostics
import PolicyLanguage

/// Semantic analysis followed by placement: what `spkic check` reports, and what every
/// later stage starts from.
public struct PolicyAnalysis: Sendable {
    public let model: PolicyModel
    /// nil when semantic analysis found errors (placement is not attempted then).
    public let placement: Placement?
    /// Semantic diagnostics, then placement diagnostics.
    public let diagnostics: [Diagnostic]

    public var hasErrors: Bool { diagnostics.hasErrors }

    /// Analyses the policy rooted at `root` in `loaded`, and places it when the analysis
    /// is clean.
    public static func analyze(root: String, in loaded: PolicyLoader.Loaded, keys: KeyLoader) -> PolicyAnalysis {
        let semantic = SemanticAnalyzer.analyze(root: root, in: loaded, keys: keys)
        guard !semantic.hasErrors else {
            return PolicyAnalysis(model: semantic.model, placement: nil, diagnostics: semantic.diagnostics)
        }
        let placement = Placer.place(semantic.model)
        return PolicyAnalysis(model: semantic.model, placement: placement, diagnostics: semantic.diagnostics + placement.diagnostics)
    }
}
