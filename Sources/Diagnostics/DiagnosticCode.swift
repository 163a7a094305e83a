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
    /// Where the code's documentation page lives.
    public let helpURI: String

    public init(code: DiagnosticCode, name: String, summary: String, defaultSeverity: Severity, helpURI: String) {
        self.code = code
        self.name = name
        self.summary = summary
        self.defaultSeverity = defaultSeverity
        self.helpURI = helpURI
    }
}
