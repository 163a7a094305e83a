#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Diagnostics
import PolicyCompiler
import PolicyLanguage
import ToolSupport

/// Picks the renderer for a `--format`.
enum DiagnosticOutput {
    static func render(_ diagnostics: [Diagnostic], sources: SourceManager, format: DiagnosticFormat) -> String {
        switch format {
        case .human:
            // Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
            let colour = Console.stderrIsTerminal && getenv("NO_COLOR") == nil
            return HumanRenderer(colour: colour).render(diagnostics, sources: sources)
        case .json:
            return JSONRenderer().render(diagnostics, sources: sources)
        case .sarif:
            return SARIFRenderer(toolName: "spkic", toolVersion: Spkic.configuration.version,
                                 informationURI: "https://github.com/spkic/spkic", rules: SyntaxError.rules + SemanticError.rules)
                .render(diagnostics, sources: sources)
        case .github:
            return GitHubRenderer().render(diagnostics, sources: sources)
        }
    }
}
