import Diagnostics

extension Linter.Report {
    /// The reports of groups of policies of the same loaded files, linted under different
    /// configurations (each policy under the one discovered for it), as one report. A
    /// diagnostic two groups both give (the loader's, or an included file's finding) is
    /// kept once.
    public static func merging(_ reports: [Linter.Report]) -> Linter.Report {
        var seen = Set<Diagnostic>()
        let diagnostics = reports.flatMap(\.diagnostics).filter { seen.insert($0).inserted }.sortedByLocation()
        var failures: [KeyStoreSurvey.Failure] = []
        for failure in reports.flatMap(\.keyStoreFailures) where !failures.contains(failure) { failures.append(failure) }
        var suppressedSeen = Set<SARIFRenderer.Suppressed>()
        let suppressed = reports.flatMap(\.suppressed).filter { suppressedSeen.insert($0).inserted }
        return Linter.Report(diagnostics: diagnostics, hasCompilerErrors: reports.contains(where: \.hasCompilerErrors),
                             keyStoreFailures: failures, ignoredRoots: reports.flatMap(\.ignoredRoots), suppressed: suppressed)
    }
}
