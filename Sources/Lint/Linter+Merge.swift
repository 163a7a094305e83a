import Diagnostics

extension Linter.Report {
    /// The reports of groups of policies of the same loaded files, linted under different
    /// configurations (each policy under the one discovered for it), as one report. A
    /// diagnostic two groups both give (the loader's, or an included file's finding) is
    /// kept once, at the most severe of their levels. A finding of an `everyIncluder` rule (unused-declaration) in a file that
    /// the policies of several groups include is kept only when every such group gave it
    /// (at whatever level, suppressed or not).
    public static func merging(_ reports: [Linter.Report]) -> Linter.Report {
        let shared = SharedFindings(reports)
        let diagnostics = mostSevere(reports.flatMap(\.diagnostics).filter(shared.stands), key: { $0 }).sortedByLocation()
        var failures: [KeyStoreSurvey.Failure] = []
        for failure in reports.flatMap(\.keyStoreFailures) where !failures.contains(failure) { failures.append(failure) }
        let suppressed = mostSevere(reports.flatMap(\.suppressed).filter { shared.stands($0.diagnostic) }, key: \.diagnostic)
        return Linter.Report(diagnostics: diagnostics, hasCompilerErrors: reports.contains(where: \.hasCompilerErrors),
                             keyStoreFailures: failures, ignoredRoots: reports.flatMap(\.ignoredRoots), suppressed: suppressed,
                             includedRoots: reports.flatMap(\.includedRoots),
                             lintedFiles: reports.reduce(into: Set<FileID>()) { $0.formUnion($1.lintedFiles) })
    }

    /// One of each finding (by rule, place and message), the first at its most severe level.
    private static func mostSevere<Item>(_ items: [Item], key diagnostic: (Item) -> Diagnostic) -> [Item] {
        var chosen: [SharedFindings.Key: Int] = [:]
        var result: [Item] = []
        for item in items {
            let key = SharedFindings.Key(diagnostic(item))
            if let index = chosen[key] {
                if diagnostic(item).severity > diagnostic(result[index]).severity { result[index] = item }
            } else {
                chosen[key] = result.count
                result.append(item)
            }
        }
        return result
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
