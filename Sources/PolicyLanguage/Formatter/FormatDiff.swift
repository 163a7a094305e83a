/// A short, diff-like summary of what formatting would change, for
/// `spkic fmt --check`: the first differing hunk, with line numbers.
public enum FormatDiff {
    /// Nil when the texts are equal.
    public static func summary(original: String, formatted: String, name: String, maxLines: Int = 12) -> String? {
        guard original != formatted else { return nil }
        let old = original.split(separator: "\n", omittingEmptySubsequences: false)
        let new = formatted.split(separator: "\n", omittingEmptySubsequences: false)
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix,
              old[old.count - 1 - suffix] == new[new.count - 1 - suffix] {
            suffix += 1
        }
        let removed = old[prefix..<(old.count - suffix)]
        let added = new[prefix..<(new.count - suffix)]
        var out = "--- \(name)\n+++ \(name) (formatted)\n"
        out += "@@ -\(prefix + 1),\(removed.count) +\(prefix + 1),\(added.count) @@\n"
        var shown = 0
        for line in removed where shown < maxLines {
            out += "-\(line)\n"
            shown += 1
        }
        for line in added where shown < 2 * maxLines {
            out += "+\(line)\n"
            shown += 1
        }
        if removed.count + added.count > shown { out += "... (\(removed.count + added.count - shown) more lines)\n" }
        return out
    }
}
