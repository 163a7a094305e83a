/// A short, diff-like summary of what formatting would change, for
/// `spkic fmt --check`: the changed hunks (Myers' algorithm, no context lines),
/// with line numbers, up to a number of lines.
public enum FormatDiff {
    /// Nil when the texts are equal.
    public static func summary(original: String, formatted: String, name: String, maxLines: Int = 40) -> String? {
        guard original != formatted else { return nil }
        let old = original.split(separator: "\n", omittingEmptySubsequences: false)
        let new = formatted.split(separator: "\n", omittingEmptySubsequences: false)
        var out = "--- \(name)\n+++ \(name) (formatted)\n"
        var shown = 0
        var hidden = 0
        for hunk in hunks(old, new) {
            let removed = old[hunk.old]
            let added = new[hunk.new]
            guard shown < maxLines else {
                hidden += removed.count + added.count
                continue
            }
            out += "@@ -\(hunk.old.lowerBound + 1),\(removed.count) +\(hunk.new.lowerBound + 1),\(added.count) @@\n"
            for line in removed {
                if shown < maxLines { out += "-\(line)\n"; shown += 1 } else { hidden += 1 }
            }
            for line in added {
                if shown < maxLines { out += "+\(line)\n"; shown += 1 } else { hidden += 1 }
            }
        }
        if hidden > 0 { out += "... (\(hidden) more changed lines)\n" }
        return out
    }

    struct Hunk: Equatable {
        var old: Range<Int>
        var new: Range<Int>
    }

    /// The changed regions between `a` and `b`, in order.
    static func hunks(_ a: [Substring], _ b: [Substring]) -> [Hunk] {
        // Common prefix and suffix first: formatting changes are usually local.
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] {
            suffix += 1
        }
        let x = Array(a[prefix..<(a.count - suffix)])
        let y = Array(b[prefix..<(b.count - suffix)])
        guard let matches = myersMatches(x, y, maxEdits: 4000) else {
            return [Hunk(old: prefix..<(a.count - suffix), new: prefix..<(b.count - suffix))]
        }
        var result: [Hunk] = []
        var i = 0
        var j = 0
        for (mi, mj) in matches + [(x.count, y.count)] {
            if mi > i || mj > j {
                result.append(Hunk(old: (prefix + i)..<(prefix + mi), new: (prefix + j)..<(prefix + mj)))
            }
            i = mi + 1
            j = mj + 1
        }
        return result
    }

    /// The pairs of equal lines of a shortest edit script, or nil when it needs
    /// more than `maxEdits` edits.
    static func myersMatches(_ a: [Substring], _ b: [Substring], maxEdits: Int) -> [(Int, Int)]? {
        let n = a.count
        let m = b.count
        let limit = min(n + m, maxEdits)
        let offset = limit + 1
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        var trace: [[Int]] = []
        var found = false
        for d in 0...limit {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                    x = v[offset + k + 1]
                } else {
                    x = v[offset + k - 1] + 1
                }
                var y = x - k
                while x < n, y < m, a[x] == b[y] {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n, y >= m {
                    found = true
                    break
                }
            }
            if found { break }
        }
        guard found else { return nil }
        // Walk back through the trace, collecting the diagonal (equal) steps.
        var matches: [(Int, Int)] = []
        var x = n
        var y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let previous = trace[d]
            let k = x - y
            let previousK: Int
            if k == -d || (k != d && previous[offset + k - 1] < previous[offset + k + 1]) {
                previousK = k + 1
            } else {
                previousK = k - 1
            }
            let previousX = d == 0 ? 0 : previous[offset + previousK]
            let previousY = previousX - previousK
            while x > previousX, y > previousY {
                x -= 1
                y -= 1
                matches.append((x, y))
            }
            if d > 0 {
                x = previousX
                y = previousY
            }
        }
        return matches.reversed()
    }
}
