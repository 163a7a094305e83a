import Diagnostics

/// What every rule publishes: its stable id (never reused for another meaning), its
/// category, its default level and a one-line summary. Each id has a page
/// `Docs/lint/<id>.md`.
public struct RuleDescriptor: Sendable, Hashable {
    /// Kebab-case, stable: `wildcard-grant`.
    public let id: String
    public let category: LintCategory
    public let defaultLevel: LintLevel
    /// One line, lowercase, saying what the rule reports.
    public let summary: String
    /// Whether some findings carry a machine-applicable fix-it.
    public let hasFixIt: Bool
    /// How its findings in a file that several policies of a run include are combined.
    public let sharedFiles: SharedFileFindings

    /// How the findings in a file that several linted policies include (a shared piece) are
    /// combined: the rule runs on each includer, each seeing the file as part of it.
    public enum SharedFileFindings: Sendable, Hashable {
        /// What any includer finds stands: a problem in one policy is a problem.
        case anyIncluder
        /// Only what every includer finds stands: for findings of an absence ("nothing
        /// uses it"), which one includer's use refutes.
        case everyIncluder
    }

    public init(id: String, category: LintCategory, defaultLevel: LintLevel, summary: String, hasFixIt: Bool = false,
                sharedFiles: SharedFileFindings = .anyIncluder) {
        self.id = id
        self.category = category
        self.defaultLevel = defaultLevel
        self.summary = summary
        self.hasFixIt = hasFixIt
        self.sharedFiles = sharedFiles
    }

    public var code: DiagnosticCode { DiagnosticCode(id) }

    /// The page of the rule, relative to the repository root.
    public var documentationPath: String { "Docs/lint/\(id).md" }

    /// The rule metadata for SARIF and JSON: its page, and its category as a tag.
    public var rule: DiagnosticRule {
        DiagnosticRule(code: code, name: id, summary: summary, defaultSeverity: defaultLevel.severity ?? .info,
                       documentation: documentationPath, tags: [category.rawValue])
    }
}
