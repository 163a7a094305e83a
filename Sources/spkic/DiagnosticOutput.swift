#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Diagnostics
import PolicyCompiler
import PolicyLanguage
import ToolSupport

/// Picks the renderer for a `--format`.
enum DiagnosticOutput {
    /// `rules` and `documentation` describe codes beyond the compiler's (lint rules);
    /// `helpBaseURI` makes SARIF help URIs absolute (`--help-base-uri`).
    static func render(_ diagnostics: [Diagnostic], sources: SourceManager, format: DiagnosticFormat,
                       rules: [DiagnosticRule] = [], documentation: [DiagnosticCode: String] = [:], helpBaseURI: String? = nil,
                       suppressed: [SARIFRenderer.Suppressed] = []) -> String {
        switch format {
        case .human:
            // Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
            let colour = Console.stderrIsTerminal && getenv("NO_COLOR") == nil
            return HumanRenderer(colour: colour).render(diagnostics, sources: sources)
        case .json:
            return JSONRenderer(documentation: documentation).render(diagnostics, sources: sources)
        case .sarif:
            return SARIFRenderer(toolName: "spkic", toolVersion: Spkic.configuration.version,
                                 rules: rules + SyntaxError.rules + SemanticError.rules, helpBaseURI: helpBaseURI)
                .render(diagnostics, suppressed: suppressed, sources: sources)
        case .github:
            return GitHubRenderer().render(diagnostics, sources: sources)
        }
    }

    /// `--help-base-uri` must be absolute (`scheme:`), as SARIF wants `helpUri`.
    static func validateHelpBase(_ uri: String?) throws {
        guard let uri else { return }
        let scheme = uri.prefix { $0 != ":" }
        guard scheme.count < uri.count, let first = scheme.first, first.isLetter,
              scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }) else {
            throw ValidationError("--help-base-uri: `\(uri)` is not an absolute URI; give e.g. https://HOST/OWNER/REPO/blob/COMMIT/")
        }
    }
}
