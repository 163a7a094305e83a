/// A stable diagnostic code such as `E0012` or `W0101`. Codes never change meaning
/// once published; each has a page in `Docs/diagnostics/<code>.md`.
public struct DiagnosticCode: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: DiagnosticCode, rhs: DiagnosticCode) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What a renderer needs to know about a code for machine-readable outputs such as
/// SARIF's rule metadata.
public struct DiagnosticRule: Sendable, Hashable {
    public let code: DiagnosticCode
    /// A short kebab-case name, e.g. `unterminated-string`.
    public let name: String
    /// One line saying what the code reports.
    public let summary: String
    public let defaultSeverity: Severity
    /// The code's documentation page, relative to the repository root
    /// (`Docs/diagnostics/E0012.md`). Not a URI: the repository has no address of its own;
    /// renderers turn it into one only when given a base (`--help-base-uri`).
    public let documentation: String
    /// Labels for code-scanning tools (SARIF `properties.tags`), e.g. `security`.
    public let tags: [String]

    public init(code: DiagnosticCode, name: String, summary: String, defaultSeverity: Severity, documentation: String,
                tags: [String] = []) {
        self.code = code
        self.name = name
        self.summary = summary
        self.defaultSeverity = defaultSeverity
        self.documentation = documentation
        self.tags = tags
    }
}
