import Diagnostics
import PolicyLanguage
import ToolSupport

/// Picks the renderer for a `--format`.
enum DiagnosticOutput {
    static func render(_ diagnostics: [Diagnostic], sources: SourceManager, format: DiagnosticFormat) -> String {
        switch format {
        case .human:
            return HumanRenderer(colour: Console.stderrIsTerminal).render(diagnostics, sources: sources)
        case .json:
            return JSONRenderer().render(diagnostics, sources: sources)
        case .sarif:
            return SARIFRenderer(toolName: "spkic", toolVersion: Spkic.configuration.version,
                                 informationURI: "https://github.com/spkic/spkic", rules: SyntaxError.rules)
                .render(diagnostics, sources: sources)
        case .github:
            return GitHubRenderer().render(diagnostics, sources: sources)
        }
    }
}
