/// A lint rule: a pure function from one analysed policy to findings. One rule per file
/// in `Rules/`; the registry lists them all.
public protocol LintRule: Sendable {
    static var descriptor: RuleDescriptor { get }
    init()
    func check(_ context: LintContext) -> [LintFinding]
}

extension LintRule {
    public var descriptor: RuleDescriptor { Self.descriptor }

    /// A finding of this rule.
    func finding(_ message: String, at range: SourceRange, label: String? = nil, notes: [Diagnostic.Note] = [],
                 help: String? = nil, fixIts: [Diagnostic.FixIt] = []) -> LintFinding {
        LintFinding(rule: Self.descriptor.id, message: message, range: range, label: label, notes: notes, help: help, fixIts: fixIts)
    }
}

import Diagnostics
