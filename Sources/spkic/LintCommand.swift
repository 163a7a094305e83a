#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Diagnostics
import Lint
import PolicyCompiler
import PolicyLanguage
import ToolSupport

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check policies against security, robustness, correctness and style rules.",
        discussion: """
            Analyses each policy as `check` does, then runs the rules of Docs/lint/README.md
            (each with an id, a category, a level and a page Docs/lint/<id>.md). A finding
            is suppressed by `# spkic:ignore RULE REASON` on its line or alone on the line
            above; suppressions that suppress nothing are reported. --config reads a TOML
            file of levels per rule and category, ignored paths and thresholds. With
            --keys, the key-store rules (key sizes, hashes, permissions) read the key
            store; without it they check the policy's own keys only. --fix applies the
            findings' fix-its (each file rewritten atomically) and reports what is left.
            Exit status: 0 clean; 1 errors found (or warnings, with --strict); 2 bad
            input (unreadable file, syntax or semantic errors, bad configuration).

            Examples:
              spkic lint policy.vp
              spkic lint policies/*.vp --config spkic-lint.toml --strict
              spkic lint policy.vp --keys /etc/spkic/keys --at 2026-12-01T00:00Z
              spkic lint policies/*.vp --format sarif > spkic-lint.sarif
              spkic lint policies/*.vp --format github      # in a GitHub Actions step
              spkic lint --fix policy.vp                    # apply the fix-its
              spkic lint --list-rules
            """)

    @Argument(help: "The policy files to lint (`-` for standard input).")
    var files: [String] = []

    @Option(help: "Output format: human, json, sarif or github.")
    var format: DiagnosticFormat = .human

    @Option(help: ArgumentHelp("A TOML configuration: levels per rule and category, ignored paths, thresholds.", valueName: "FILE"))
    var config: String?

    @Option(help: ArgumentHelp("Turn on a rule or category at its default level (after --config). May repeat.", valueName: "RULE"))
    var enable: [String] = []

    @Option(help: ArgumentHelp("Turn off a rule or category (after --config and --enable). May repeat.", valueName: "RULE"))
    var disable: [String] = []

    @Flag(help: "Exit 1 on warnings too.")
    var strict = false

    @Option(name: .customLong("keys"), help: ArgumentHelp("A key store directory, as for compile (may repeat): its keys' sizes, hashes and permissions are checked.", valueName: "DIR"))
    var keyDirectories: [String] = []

    @Option(help: ArgumentHelp("The time of linting, RFC 3339 or SPKI (default: now): what expiry is measured from.", valueName: "TIME"))
    var at: String?

    @Option(help: ArgumentHelp("SARIF: an absolute URI the rule pages are relative to, e.g. https://github.com/OWNER/REPO/blob/COMMIT/; without it SARIF carries the pages' paths only.", valueName: "URI"))
    var helpBaseUri: String?

    @Flag(help: "Print the rules (id, category, default level, summary) and exit.")
    var listRules = false

    @Flag(help: "Apply the findings' fix-its to the files (each rewritten atomically), then report what is left.")
    var fix = false

    func validate() throws {
        if files.isEmpty && !listRules { throw ValidationError("Missing expected argument '<files> ...'") }
        if fix && files.contains("-") { throw ValidationError("--fix cannot rewrite standard input") }
        try DiagnosticOutput.validateHelpBase(helpBaseUri)
        if let at { _ = try CompilationOptions().parseTime(at) }
    }

    func run() throws {
        if listRules {
            Console.out(CompileSummary.table([["rule", "category", "default", "summary"]] + LintRegistry.descriptors.map {
                [$0.id, $0.category.rawValue, $0.defaultLevel.rawValue, $0.summary]
            }))
            return
        }
        let configuration = try loadConfiguration()
        let time = try at.map { try CompilationOptions().parseTime($0) } ?? Int64(Glibc.time(nil))
        var loaded = PolicyLoader(read: FileAccess.read).load(files)
        var report = Linter(configuration: configuration)
            .lint(loaded, roots: files, keys: PolicyInput.keyLoader, keyDirectories: keyDirectories, time: time)
        if fix, try applyFixes(report, loaded: loaded) {
            loaded = PolicyLoader(read: FileAccess.read).load(files)
            report = Linter(configuration: configuration)
                .lint(loaded, roots: files, keys: PolicyInput.keyLoader, keyDirectories: keyDirectories, time: time)
        }
        let output = DiagnosticOutput.render(report.diagnostics, sources: loaded.sources, format: format,
                                             rules: LintRegistry.diagnosticRules, documentation: LintRegistry.documentation,
                                             helpBaseURI: helpBaseUri, suppressed: report.suppressed)
        if format == .human {
            if !output.isEmpty { Console.err(String(output.dropLast())) }
        } else {
            Console.out(output)
        }
        for (path, reason) in loaded.unreadable { Console.err("error: cannot read `\(path)`: \(reason)") }
        for failure in report.keyStoreFailures { Console.err("warning: key store: `\(failure.path)` \(failure.message)") }
        let errors = report.diagnostics.errorCount
        let warnings = report.diagnostics.filter { $0.severity == .warning }.count
        if format == .human, errors + warnings > 0 {
            Console.err("\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\(strict && warnings > 0 ? " (--strict: warnings fail)" : "")")
        }
        if !loaded.unreadable.isEmpty || report.hasCompilerErrors { throw ExitCode(ExitStatus.badInput.rawValue) }
        if errors > 0 || (strict && warnings > 0) { throw ExitCode(ExitStatus.refused.rawValue) }
    }

    /// Rewrites each file that has fix-its (lint findings only); says what was fixed.
    /// Returns whether a file changed.
    func applyFixes(_ report: Linter.Report, loaded: PolicyLoader.Loaded) throws -> Bool {
        let lintCodes = Set(LintRegistry.descriptors.map(\.code))
        var changed = false
        for file in loaded.files {
            let findings = report.diagnostics.filter { $0.range.file == file.source.id && lintCodes.contains($0.code) }
            let result = FixApplier.apply(findings, to: file.source.bytes, file: file.source.id)
            guard !result.applied.isEmpty, result.bytes != file.source.bytes else { continue }
            do {
                try AtomicFile.write(result.bytes, to: file.path, mode: FileAccess.mode(of: file.path))
            } catch {
                throw CommandFailure(.badInput, "--fix: \(error)")
            }
            changed = true
            let deferred = result.deferred.isEmpty ? "" : "; \(result.deferred.count) left for another run (they overlap)"
            Console.err("fixed \(result.applied.count) finding\(result.applied.count == 1 ? "" : "s") in \(file.path)\(deferred)")
        }
        return changed
    }

    func loadConfiguration() throws -> LintConfiguration {
        var configuration = LintConfiguration()
        if let config {
            switch FileAccess.read(config) {
            case .failure(let failure):
                throw CommandFailure(.badInput, "cannot read the configuration `\(config)`: \(failure.reason)")
            case .success(let bytes):
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw CommandFailure(.badInput, "the configuration `\(config)` is not UTF-8 text")
                }
                do {
                    configuration = try LintConfiguration.parse(text, name: config)
                } catch {
                    throw CommandFailure(.badInput, "configuration: \(error)")
                }
            }
        }
        do {
            for name in enable { try configuration.enable(name) }
            for name in disable { try configuration.disable(name) }
        } catch {
            throw CommandFailure(.badInput, error.description)
        }
        return configuration
    }
}
