import Diagnostics

extension Linter.Report {
    /// The reports of groups of policies of the same loaded files, linted under different
    /// configurations (each policy under the one discovered for it), as one report. A
    /// diagnostic two groups both give (the loader's, or an included file's finding) is
    /// kept once. A finding of an `everyIncluder` rule (unused-declaration) in a file that
    /// the policies of several groups include is kept only when every such group gave it
    /// (at whatever level, suppressed or not).
    public static func merging(_ reports: [Linter.Report]) -> Linter.Report {
        let shared = SharedFindings(reports)
        var seen = Set<Diagnostic>()
        let diagnostics = reports.flatMap(\.diagnostics).filter { shared.stands($0) && seen.insert($0).inserted }.sortedByLocation()
        var failures: [KeyStoreSurvey.Failure] = []
        for failure in reports.flatMap(\.keyStoreFailures) where !failures.contains(failure) { failures.append(failure) }
        var suppressedSeen = Set<SARIFRenderer.Suppressed>()
        let suppressed = reports.flatMap(\.suppressed).filter { shared.stands($0.diagnostic) && suppressedSeen.insert($0).inserted }
        return Linter.Report(diagnostics: diagnostics, hasCompilerErrors: reports.contains(where: \.hasCompilerErrors),
                             keyStoreFailures: failures, ignoredRoots: reports.flatMap(\.ignoredRoots), suppressed: suppressed,
                             includedRoots: reports.flatMap(\.includedRoots),
                             lintedFiles: reports.reduce(into: Set<FileID>()) { $0.formUnion($1.lintedFiles) })
    }

    /// The `everyIncluder` findings each report gave, compared by rule, place and message
    /// (not level: the groups' configurations may set different levels).
    private struct SharedFindings {
        struct Key: Hashable {
            var code: DiagnosticCode
            var range: SourceRange
            var message: String

            init(_ diagnostic: Diagnostic) {
                code = diagnostic.code
                range = diagnostic.range
                message = diagnostic.message
            }
        }

        let codes = Set(LintRegistry.descriptors.filter { $0.sharedFiles == .everyIncluder }.map(\.code))
        let given: [(files: Set<FileID>, keys: Set<Key>)]

        init(_ reports: [Linter.Report]) {
            let codes = codes
            given = reports.map { report in
                (report.lintedFiles, Set((report.diagnostics + report.suppressed.map(\.diagnostic)).filter { codes.contains($0.code) }.map(Key.init)))
            }
        }

        func stands(_ diagnostic: Diagnostic) -> Bool {
            guard codes.contains(diagnostic.code) else { return true }
            let key = Key(diagnostic)
            return given.allSatisfy { !$0.files.contains(diagnostic.range.file) || $0.keys.contains(key) }
        }
    }
}
