import Diagnostics

/// One thing a rule found, before levels and suppressions are applied.
public struct LintFinding: Sendable, Hashable {
    public var rule: String
    public var message: String
    public var range: SourceRange
    public var label: String?
    public var notes: [Diagnostic.Note]
    public var help: String?
    public var fixIts: [Diagnostic.FixIt]

    public init(rule: String, message: String, range: SourceRange, label: String? = nil, notes: [Diagnostic.Note] = [],
                help: String? = nil, fixIts: [Diagnostic.FixIt] = []) {
        self.rule = rule
        self.message = message
        self.range = range
        self.label = label
        self.notes = notes
        self.help = help
        self.fixIts = fixIts
    }

    /// The diagnostic at `severity`.
    public func diagnostic(_ severity: Severity) -> Diagnostic {
        Diagnostic(code: DiagnosticCode(rule), severity: severity, message: message, range: range, label: label,
                   notes: notes, help: help, fixIts: fixIts)
    }
}
