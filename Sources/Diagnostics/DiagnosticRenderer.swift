/// Turns diagnostic values into text in one output format.
public protocol DiagnosticRenderer: Sendable {
    func render(_ diagnostics: [Diagnostic], sources: SourceManager) -> String
}

/// The output formats, by the names used on command lines.
public enum DiagnosticFormat: String, Sendable, CaseIterable {
    case human
    case json
    case sarif
    case github
}
