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
            Analyses each policy as `check` does, then runs the rules of Docs/lint/README.md \
            (each with an id, a category, a level and a page Docs/lint/<id>.md). A finding \
            is suppressed by `# spkic:ignore RULE REASON` on its line or alone on the line \
            above; suppressions that suppress nothing are reported. The configuration \
            (TOML: levels per rule and category, ignored paths, thresholds, `at`) is \
            --config FILE for every policy; without it, each policy's nearest \
            spkic-lint.toml (or .spkic-lint.toml) in its folder or a folder above, up to \
            the one holding .git; --no-config uses none. --at wins over `at`. A file \
            that another policy given includes is linted as part of it, not alone. With \
            --keys, the key-store rules (key sizes, hashes, permissions) read the key \
            store; without it they check the policy's own keys only. --fix applies the \
            findings' fix-its (each file rewritten atomically) and reports what is left. \
            Exit status: 0 clean; 1 errors found (or warnings, with --strict); 2 bad \
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

    @Option(help: ArgumentHelp("A TOML configuration for every policy: levels per rule and category, ignored paths, thresholds, `at` (default: each policy's nearest spkic-lint.toml).", valueName: "FILE"))
    var config: String?

    @Flag(help: "Use no configuration file: neither --config nor a discovered spkic-lint.toml.")
    var noConfig = false

    @Option(help: ArgumentHelp("Turn on a rule or category at its default level (after --config). May repeat.", valueName: "RULE"))
    var enable: [String] = []

    @Option(help: ArgumentHelp("Turn off a rule or category (after --config and --enable). May repeat.", valueName: "RULE"))
    var disable: [String] = []

    @Flag(help: "Exit 1 on warnings too.")
    var strict = false

    @Option(name: .customLong("keys"), help: ArgumentHelp("A key store directory, as for compile (may repeat): its keys' sizes, hashes and permissions are checked.", valueName: "DIR"))
    var keyDirectories: [String] = []

    @Option(help: ArgumentHelp("The time of linting, RFC 3339 or SPKI (default: the configuration's `at`, else now): what expiry is measured from.", valueName: "TIME"))
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
        if noConfig && config != nil { throw ValidationError("--config FILE and --no-config contradict each other: give one") }
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
        let groups = try lintGroups()
        var loaded = PolicyLoader(read: FileAccess.read).load(files)
        var report = lint(loaded, groups)
        if fix, try applyFixes(report, loaded: loaded) {
            loaded = PolicyLoader(read: FileAccess.read).load(files)
            report = lint(loaded, groups)
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

    /// Policies linted under one configuration at one time.
    struct LintGroup {
        var roots: [String]
        var configuration: LintConfiguration
        var time: Int64
    }

    /// Each group under its configuration, as one report. The policies of the run that a
    /// file given may be part of are those its configuration does not ignore.
    func lint(_ loaded: PolicyLoader.Loaded, _ groups: [LintGroup]) -> Linter.Report {
        let runRoots = groups.flatMap { group in group.roots.filter { !group.configuration.isIgnored($0) } }
        return .merging(groups.map {
            Linter(configuration: $0.configuration)
                .lint(loaded, roots: $0.roots, runRoots: runRoots, keys: PolicyInput.keyLoader, keyDirectories: keyDirectories, time: $0.time)
        })
    }

    /// The configuration of each policy (--config, --no-config, or the discovered one),
    /// with --enable/--disable applied, and its time: --at, else the configuration's
    /// `at`, else now.
    func lintGroups() throws -> [LintGroup] {
        let now = Int64(Glibc.time(nil))
        let commandLineTime = try at.map { try CompilationOptions().parseTime($0) }
        var discovery = ConfigurationDiscovery()
        let found: [(file: String?, roots: [String], discovered: Bool)]
        if let config {
            found = [(config, files, false)]
        } else if noConfig {
            found = [(nil, files, false)]
        } else {
            do {
                found = try discovery.group(files).map { ($0.configuration, $0.files, true) }
            } catch {
                throw CommandFailure(.badInput, "configuration: \(error)")
            }
        }
        return try found.map { file, roots, discovered in
            var configuration = LintConfiguration()
            let origin = discovered ? " (found for `\(roots[0])`\(roots.count > 1 ? " and \(roots.count - 1) more" : ""))" : ""
            if let file {
                do {
                    configuration = try discovery.load(file, discovered: discovered)
                } catch {
                    throw CommandFailure(.badInput, "configuration\(origin): \(error)")
                }
            }
            do {
                for name in enable { try configuration.enable(name) }
                for name in disable { try configuration.disable(name) }
            } catch {
                throw CommandFailure(.badInput, "\(error)")
            }
            guard commandLineTime == nil, let pinned = configuration.at, let file else {
                return LintGroup(roots: roots, configuration: configuration, time: commandLineTime ?? now)
            }
            let time: Int64
            do {
                time = try CompilationOptions().parseTime(pinned)
            } catch {
                let reason = "\(error)".hasPrefix("--at: ") ? String("\(error)".dropFirst(6)) : "\(error)"
                throw CommandFailure(.badInput, "configuration\(origin): \(file): `at`: \(reason)\nhelp: `at` takes what --at takes, e.g. \"2026-11-01T00:00Z\"")
            }
            if now - time > configuration.options.expiryHorizon {
                Console.err("note: \(file) sets the time of linting to \(pinned) (`at`), \((now - time) / 86_400) days ago: expiry is measured from then, not now; --at TIME overrides it")
            }
            return LintGroup(roots: roots, configuration: configuration, time: time)
        }
    }
}
