/// Line numbers of byte offsets, fast when the offsets asked for mostly move
/// forward (as the formatter's do): it walks from the last answer, and falls back
/// to a binary search for long jumps.
final class LineLookup {
    private let starts: [UInt32]
    private var hint = 0

    init(_ starts: [UInt32]) {
        self.starts = starts
    }

    /// The 0-based line holding `offset`.
    func line(of offset: UInt32) -> Int {
        var index = hint
        if starts[index] <= offset {
            var steps = 0
            while index + 1 < starts.count, starts[index + 1] <= offset {
                index += 1
                steps += 1
                if steps > 8 { return remember(search(offset)) }
            }
            return remember(index)
        }
        return remember(search(offset))
    }

    private func remember(_ index: Int) -> Int {
        hint = index
        return index
    }

    private func search(_ offset: UInt32) -> Int {
        var low = 0
        var high = starts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if starts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low
    }
}
