/// "Did you mean" support: finds the candidate closest to a misspelled word.
public enum SpellingSuggestion {
    /// The candidate nearest to `word` by edit distance (case-insensitive, with
    /// transpositions), if it is close enough to be a plausible typo.
    public static func closest<S: Sequence>(to word: String, in candidates: S) -> String? where S.Element == String {
        let target = Array(word.lowercased().utf8)
        guard !target.isEmpty else { return nil }
        let threshold = max(1, min(3, (target.count + 2) / 3))
        // Ties go to a candidate with the same first letter: typos rarely hit it.
        var best: (name: String, score: Int)?
        for candidate in candidates where candidate != word {
            let lowered = Array(candidate.lowercased().utf8)
            let distance = editDistance(target, lowered)
            let score = distance * 2 + (lowered.first == target.first ? 0 : 1)
            if distance <= threshold, score < (best?.score ?? Int.max) {
                best = (candidate, score)
            }
        }
        return best?.name
    }

    /// Optimal-string-alignment distance between two byte strings.
    public static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previous2[j - 2] + 1)
                }
                current[j] = value
            }
            swap(&previous2, &previous)
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
