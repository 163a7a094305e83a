import Diagnostics
import PolicyLanguage

/// Finds the `# spkic:ignore RULE[,RULE...] REASON` comments of a file. A comment after
/// code suppresses the findings that start on its line; a comment alone on its line, those
/// on its line and the next (the line above the code). A reason is required.
public enum SuppressionScanner {
    public struct Suppression: Sendable, Hashable {
        public var rules: [String]
        public var reason: String
        /// The comment.
        public var range: SourceRange
        /// The 0-based lines whose findings it suppresses.
        public var lines: ClosedRange<Int>
    }

    public static let marker = "spkic:ignore"

    /// The valid suppressions of `file`, and findings for the malformed ones.
    public static func scan(_ file: PolicyLoader.LoadedFile, knownRules: Set<String>) -> (suppressions: [Suppression], problems: [LintFinding]) {
        var suppressions: [Suppression] = []
        var problems: [LintFinding] = []
        let source = file.source
        for comment in file.policy.comments {
            var text = Substring(source.text(comment))
            guard text.first == "#" else { continue }
            text = text.dropFirst().drop { $0 == " " || $0 == "\t" }
            guard text.hasPrefix(marker) else { continue }
            let rest = text.dropFirst(marker.count)
            guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { continue }
            let words = rest.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
            let id = LintRegistry.invalidSuppression.id
            guard let first = words.first else {
                problems.append(LintFinding(rule: id, message: "`# spkic:ignore` names no rule", range: comment, label: "no rule",
                                            help: "write `# spkic:ignore RULE REASON`, e.g. `# spkic:ignore wildcard-grant the owner administers every machine`"))
                continue
            }
            let rules = first.split(separator: ",").map(String.init)
            let unknown = rules.filter { !knownRules.contains($0) }
            if !unknown.isEmpty {
                let suggestion = SpellingSuggestion.closest(to: unknown[0], in: knownRules.sorted())
                problems.append(LintFinding(rule: id, message: "`# spkic:ignore` names unknown rule `\(unknown[0])`", range: comment,
                                            label: "unknown rule",
                                            help: suggestion.map { "did you mean `\($0)`?" } ?? "the rules are listed in Docs/lint/README.md"))
                continue
            }
            let reason = words.count > 1 ? String(words[1]).trimmingSpaces() : ""
            guard !reason.isEmpty else {
                problems.append(LintFinding(rule: id, message: "`# spkic:ignore \(first)` gives no reason", range: comment, label: "no reason",
                                            help: "say why the finding is intended: `# spkic:ignore \(first) REASON`"))
                continue
            }
            let line = source.lineIndex(of: comment.start)
            let lineStart = source.lineRange(line).lowerBound
            let alone = source.bytes[lineStart..<Int(comment.start)].allSatisfy { $0 == 0x20 || $0 == 0x09 }
            suppressions.append(Suppression(rules: rules, reason: reason, range: comment, lines: line...(alone ? line + 1 : line)))
        }
        return (suppressions, problems)
    }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text.removeLast() }
        return String(text)
    }
}
