import Diagnostics

/// Applies the fix-its of lint findings to the bytes of a file: the first fix-it of each
/// finding, whole or not at all, skipping one that overlaps a fix-it already taken. A
/// whole-file rewrite (`format-drift`) is taken only when nothing else is, so that a second
/// run formats what the first fixed.
public enum FixApplier {
    public struct Result: Sendable {
        public var bytes: [UInt8]
        /// The findings whose fix-it was applied.
        public var applied: [Diagnostic]
        /// The findings with a fix-it left for another run (it overlapped another).
        public var deferred: [Diagnostic]
    }

    public static func apply(_ diagnostics: [Diagnostic], to bytes: [UInt8], file: FileID) -> Result {
        let candidates = diagnostics.filter { diagnostic in
            guard let fix = diagnostic.fixIts.first else { return false }
            return !fix.edits.isEmpty && fix.edits.allSatisfy { $0.range.file == file && Int($0.range.end) <= bytes.count }
        }
        let whole = { (d: Diagnostic) in d.fixIts[0].edits.contains { $0.range.start == 0 && Int($0.range.end) == bytes.count && bytes.count > 0 } }
        let ordered = candidates.filter { !whole($0) } + candidates.filter(whole)
        var taken: [Diagnostic.TextEdit] = []
        var applied: [Diagnostic] = []
        var deferred: [Diagnostic] = []
        for diagnostic in ordered {
            let edits = diagnostic.fixIts[0].edits
            let overlaps = edits.contains { edit in taken.contains { Self.overlap($0.range, edit.range) } }
                || edits.enumerated().contains { i, a in edits.enumerated().contains { j, b in i < j && Self.overlap(a.range, b.range) } }
            if overlaps {
                deferred.append(diagnostic)
            } else {
                taken += edits
                applied.append(diagnostic)
            }
        }
        var result = bytes
        for edit in taken.sorted(by: { ($0.range.start, $0.range.end) > ($1.range.start, $1.range.end) }) {
            result.replaceSubrange(Int(edit.range.start)..<Int(edit.range.end), with: Array(edit.replacement.utf8))
        }
        return Result(bytes: result, applied: applied, deferred: deferred)
    }

    /// Whether two edits touch the same bytes or each other (an insertion right after a
    /// replaced range counts: the two fixes were computed without each other).
    static func overlap(_ a: SourceRange, _ b: SourceRange) -> Bool {
        a.start <= b.end && b.start <= a.end
    }
}
