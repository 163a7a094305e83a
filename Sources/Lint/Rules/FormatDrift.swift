import Diagnostics
import PolicyLanguage

/// A file that `spkic fmt` would change: reviews then show layout noise instead of
/// meaning. The fix-it is the formatted file.
struct FormatDrift: LintRule {
    static let descriptor = RuleDescriptor(
        id: "format-drift", category: .style, defaultLevel: .info,
        summary: "a file that `spkic fmt` would reformat", hasFixIt: true)

    func check(_ context: LintContext) -> [LintFinding] {
        context.files.compactMap { file in
            let formatted = PolicyFormatter.formatBytes(file.policy, source: file.source)
            let bytes = file.source.bytes
            guard formatted != bytes else { return nil }
            // The first line that differs.
            var index = 0
            while index < min(formatted.count, bytes.count), formatted[index] == bytes[index] { index += 1 }
            let line = file.source.lineIndex(of: UInt32(min(index, bytes.count)))
            let lineRange = file.source.lineRange(line)
            let range = SourceRange(file: file.source.id, start: UInt32(lineRange.lowerBound), end: UInt32(lineRange.upperBound))
            let whole = SourceRange(file: file.source.id, start: 0, end: UInt32(bytes.count))
            return finding("`\(file.source.name)` is not formatted as `spkic fmt` would write it, from line \(line + 1)",
                           at: range, label: "first difference",
                           help: "run `spkic fmt -w \(file.source.name)`",
                           fixIts: [.replace(whole, with: String(decoding: formatted, as: UTF8.self), "format the file")])
        }
    }
}
