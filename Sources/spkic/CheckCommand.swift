import ArgumentParser
import Diagnostics
import PolicyLanguage
import ToolSupport

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check policies for errors.",
        discussion: """
            Parses each file and the files it includes, then analyses them (names, \
            units, keys, windows, delegations), and reports every problem found. \
            Semantic analysis runs only on files that parse without errors, so that a \
            syntax error gives one error, not a cascade. \
            Exit status: 0 clean, 1 errors found, 2 a file could not be read.

            Examples:
              spkic check bronze-standard.vp
              spkic check a.vp b.vp --format json
              spkic check policies/*.vp --format sarif > spkic.sarif
              spkic check policies/*.vp --format github     # in a GitHub Actions step
            """
    )

    @Argument(help: "The policy files to check (`-` for standard input).")
    var files: [String]

    @Option(help: "Output format: human, json, sarif or github.")
    var format: DiagnosticFormat = .human

    @Option(help: "Stop each file after this many errors.")
    var maxErrors: Int = 20

    @Flag(help: "Only parse: skip semantic analysis (no key files are read).")
    var syntaxOnly = false

    @Option(help: ArgumentHelp("SARIF: an absolute URI the documentation pages are relative to, e.g. the repository's web view at a commit; without it SARIF carries the pages' paths only.", valueName: "URI"))
    var helpBaseUri: String?

    func validate() throws {
        guard maxErrors > 0 else { throw ValidationError("--max-errors must be at least 1") }
        try DiagnosticOutput.validateHelpBase(helpBaseUri)
    }

    func run() throws {
        let input = PolicyInput.load(files, maxErrors: maxErrors, syntaxOnly: syntaxOnly)
        let loaded = input.loaded
        let diagnostics = input.diagnostics
        let output = DiagnosticOutput.render(diagnostics, sources: loaded.sources, format: format, helpBaseURI: helpBaseUri)
        if format == .human {
            if !output.isEmpty { Console.err(String(output.dropLast())) }
        } else {
            Console.out(output)
        }
        for (path, reason) in loaded.unreadable {
            Console.err("error: cannot read `\(path)`: \(reason)")
        }
        let errors = diagnostics.errorCount
        for name in loaded.stoppedAtErrorLimit where format == .human {
            Console.err("note: stopped checking `\(name)` after \(maxErrors) errors; use --max-errors to see more")
        }
        if format == .human, errors > 0 {
            Console.err("error: \(errors) error\(errors == 1 ? "" : "s") found")
        }
        if !loaded.unreadable.isEmpty { throw ExitCode(ExitStatus.badInput.rawValue) }
        if errors > 0 { throw ExitCode(ExitStatus.refused.rawValue) }
    }
}

extension DiagnosticFormat: ExpressibleByArgument {}
