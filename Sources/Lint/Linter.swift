import Diagnostics
import PolicyCompiler
import PolicyLanguage

/// Runs the rules over policies: each policy given (a file and its includes) is analysed
/// and placed as `spkic check` does; the rules run on those that analyse without errors;
/// then suppressions and levels apply. A file given that another policy of the run
/// includes is linted as part of its includers only (see `IncludeGraph`).
public struct Linter: Sendable {
    public struct Report: Sendable {
        /// The compiler's diagnostics and the lint findings at their levels, sorted.
        public var diagnostics: [Diagnostic]
        /// Whether a policy had syntax or semantic errors (it was not linted).
        public var hasCompilerErrors: Bool
        /// Key files of the key store that could not be read.
        public var keyStoreFailures: [KeyStoreSurvey.Failure]
        /// The policies skipped because their path is ignored.
        public var ignoredRoots: [String]
        /// The findings a `# spkic:ignore` suppresses (at their levels), with its reason: for
        /// SARIF, which records them as suppressed.
        public var suppressed: [SARIFRenderer.Suppressed] = []
        /// The policies given that another policy of the run includes: linted as part of
        /// their includers, not on their own.
        public var includedRoots: [String] = []
        /// The files of the policies the rules ran on: for combining the findings of
        /// `everyIncluder` rules across reports (`merging`).
        public var lintedFiles: Set<FileID> = []
    }

    public let configuration: LintConfiguration
    public let rules: [any LintRule]

    public init(configuration: LintConfiguration, rules: [any LintRule] = LintRegistry.rules) {
        self.configuration = configuration
        self.rules = rules
    }

    /// Lints the policies rooted at `roots` in `loaded`. `runRoots` is every policy of the
    /// run (default `roots`; more when other configurations lint the others): one of
    /// `roots` that another of them includes is linted only as part of it. `keyDirectories`
    /// is the key store (`--keys`), possibly empty; `time` is "now" for the expiry rules.
    public func lint(_ loaded: PolicyLoader.Loaded, roots: [String], runRoots: [String]? = nil, keys: KeyLoader,
                     keyDirectories: [String], time: Int64) -> Report {
        var compiler = loaded.diagnostics
        var findings = Set<LintFinding>()
        // The findings of `everyIncluder` rules, with how many policies gave each, and how
        // many policies each file is part of: such a finding stands when all of them gave it.
        var countedFindings: [LintFinding: Int] = [:]
        var policiesOfFile: [FileID: Int] = [:]
        let everyIncluder = Set(rules.filter { $0.descriptor.sharedFiles == .everyIncluder }.map(\.descriptor.id))
        let graph = IncludeGraph(loaded, roots: runRoots ?? roots)
        let ownRoots = Set(roots.map(PolicyLoader.normalize))
        var included: [String] = []
        var failures: [KeyStoreSurvey.Failure] = []
        var ignored: [String] = []
        let unreadable = Set(loaded.unreadable.map(\.path))
        let broken = Set(loaded.diagnostics.filter { $0.severity == .error }.map(\.range.file))
        var linted: [PolicyLoader.LoadedFile] = []
        var seenRoots = Set<String>()
        for root in roots where !unreadable.contains(root) && seenRoots.insert(root).inserted {
            if configuration.isIgnored(root) {
                ignored.append(root)
                continue
            }
            // An includer this configuration ignores does not count (it is not linted here).
            if !graph.includers(of: root, excluding: { ownRoots.contains($0) && configuration.isIgnored($0) }).isEmpty {
                included.append(root)
                continue
            }
            let files = SemanticAnalyzer.files(reachableFrom: root, in: loaded)
            guard !files.isEmpty, files.allSatisfy({ !broken.contains($0.source.id) }) else { continue }
            let analysis = PolicyAnalysis.analyze(root: root, in: loaded, keys: keys)
            compiler += analysis.diagnostics
            let semanticErrors = analysis.diagnostics.contains { $0.severity == .error && !Self.placementCodes.contains($0.code.rawValue) }
            guard !semanticErrors else { continue }
            var survey: KeyStoreSurvey?
            if !keyDirectories.isEmpty {
                survey = KeyStoreSurvey.survey(analysis.model, directories: keyDirectories)
                failures += survey!.failures
            }
            let context = LintContext(sources: loaded.sources, files: files, model: analysis.model, placement: analysis.placement,
                                      keyStore: survey, time: time, options: configuration.options)
            for rule in rules {
                let found = rule.check(context)
                if everyIncluder.contains(rule.descriptor.id) {
                    for finding in Set(found) { countedFindings[finding, default: 0] += 1 }
                } else {
                    findings.formUnion(found)
                }
            }
            for file in files { policiesOfFile[file.source.id, default: 0] += 1 }
            for file in files where !linted.contains(where: { $0.source.id == file.source.id }) { linted.append(file) }
        }
        findings.formUnion(countedFindings.filter { $0.value == policiesOfFile[$0.key.range.file] }.keys)
        let ignoredFiles = Set(linted.filter { configuration.isIgnored($0.path) }.map(\.source.id))
        let kept = findings.filter { !ignoredFiles.contains($0.range.file) }
        let (diagnostics, suppressed) = applySuppressions(kept, files: linted.filter { !ignoredFiles.contains($0.source.id) }, sources: loaded.sources)
        var seen = Set<Diagnostic>()
        let all = (compiler + diagnostics).filter { seen.insert($0).inserted }.sortedByLocation()
        let hasCompilerErrors = compiler.contains { $0.severity == .error && !Self.placementCodes.contains($0.code.rawValue) }
        var uniqueFailures: [KeyStoreSurvey.Failure] = []
        for failure in failures where !uniqueFailures.contains(failure) { uniqueFailures.append(failure) }
        return Report(diagnostics: all, hasCompilerErrors: hasCompilerErrors, keyStoreFailures: uniqueFailures, ignoredRoots: ignored,
                      suppressed: suppressed, includedRoots: included, lintedFiles: Set(linted.map(\.source.id)))
    }

    /// Placement failures are answers ("this pool cannot hold it"), not bad input: the
    /// rules that need no placement still run.
    static let placementCodes: Set<String> = [SemanticError.noEligibleHost, .poolExhausted, .costExceeded].reduce(into: []) { $0.insert($1.rawValue) }

    /// Drops the findings a `# spkic:ignore` covers (whatever the rule's level, so that a
    /// suppression of a disabled rule is not reported as unused), reports the unused and
    /// malformed suppressions, then applies the levels.
    func applySuppressions(_ findings: Set<LintFinding>, files: [PolicyLoader.LoadedFile], sources: SourceManager)
        -> (diagnostics: [Diagnostic], suppressed: [SARIFRenderer.Suppressed]) {
        let known = Set(LintRegistry.descriptors.map(\.id))
        var suppressions: [FileID: [SuppressionScanner.Suppression]] = [:]
        var extra: [LintFinding] = []
        for file in files {
            let scanned = SuppressionScanner.scan(file, knownRules: known)
            suppressions[file.source.id] = scanned.suppressions
            extra += scanned.problems
        }
        var used = Set<SourceRange>()
        var kept: [LintFinding] = []
        var suppressed: [SARIFRenderer.Suppressed] = []
        for finding in findings.sorted(by: { ($0.range, $0.rule, $0.message) < ($1.range, $1.rule, $1.message) }) {
            let line = sources[finding.range.file].lineIndex(of: finding.range.start)
            if let match = suppressions[finding.range.file]?.first(where: { $0.lines.contains(line) && $0.rules.contains(finding.rule) }) {
                used.insert(match.range)
                if let descriptor = LintRegistry.descriptor(finding.rule), let severity = configuration.level(of: descriptor).severity {
                    suppressed.append(SARIFRenderer.Suppressed(finding.diagnostic(severity), justification: match.reason))
                }
            } else {
                kept.append(finding)
            }
        }
        for file in files {
            for suppression in suppressions[file.source.id] ?? [] where !used.contains(suppression.range) {
                extra.append(LintFinding(rule: LintRegistry.unusedSuppression.id,
                                         message: "`# spkic:ignore \(suppression.rules.joined(separator: ","))` suppresses nothing",
                                         range: suppression.range, label: "unused",
                                         help: "remove it: the finding it was written for is gone (or it is on the wrong line: it covers its own line, and the next when alone on its line)",
                                         fixIts: [RuleSupport.deletion(of: suppression.range, in: sources, "remove the comment")]))
            }
        }
        let diagnostics = (kept + extra).compactMap { finding -> Diagnostic? in
            guard let descriptor = LintRegistry.descriptor(finding.rule), let severity = configuration.level(of: descriptor).severity else { return nil }
            return finding.diagnostic(severity)
        }
        return (diagnostics, suppressed)
    }
}
