extension SExprDocument {
    /// The input bytes of the expression rooted at `id` when they are exactly its canonical
    /// encoding (`nil` otherwise: advanced or transport syntax, whitespace, decoded atoms,
    /// an empty first list). A signature covers the canonical bytes of an object, so a
    /// verifier can hash this range of the input as it is instead of printing the value
    /// again.
    ///
    /// Every byte of the range is checked against the nodes: each `(` and `)`, each length
    /// prefix written in shortest decimal, and each atom's and hint's bytes read straight
    /// from the input at that position. O(nodes of the subtree), no allocation.
    public func canonicalRange(_ id: NodeID) -> Range<Int>? {
        guard let start = canonicalStart(id) else { return nil }
        let end = subtreeEnd(id)
        // The node index where each open list ends: a stack no deeper than the subtree's
        // node count (on the stack for small subtrees: no allocation).
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: end - id) { open in
            source.withUnsafeBufferPointer { input -> Range<Int>? in
                var position = start
                var depth = 0
                var i = id
                while i < end {
                    while depth > 0, open[depth - 1] == i {
                        guard Self.expect(0x29, in: input, at: &position) else { return nil }
                        depth -= 1
                    }
                    let node = nodes[i]
                    if node.isList {
                        guard Self.expect(0x28, in: input, at: &position) else { return nil }
                        open[depth] = Int(node.a)
                        depth += 1
                    } else {
                        if node.isHinted {
                            guard let hint = hints[UInt32(i)], Self.expect(0x5B, in: input, at: &position),
                                  Self.expectString(offset: Int(hint.offset), length: Int(hint.length), in: input, at: &position),
                                  Self.expect(0x5D, in: input, at: &position) else { return nil }
                        }
                        guard Self.expectString(offset: Int(node.a), length: node.count, in: input, at: &position) else { return nil }
                    }
                    i += 1
                }
                for _ in 0..<depth {
                    guard Self.expect(0x29, in: input, at: &position) else { return nil }
                }
                return start..<position
            }
        }
    }

    /// The input bytes of node `id` inside an expression whose `canonicalRange` is
    /// `outer` (already checked): the same range as `canonicalRange(id)`, computed from the
    /// node lengths without checking the bytes again. `nil` when `id` starts with an empty
    /// list or the range falls outside `outer` (a node of another expression).
    public func canonicalRange(_ id: NodeID, within outer: Range<Int>) -> Range<Int>? {
        guard let start = canonicalStart(id), start >= outer.lowerBound else { return nil }
        var length = 0
        for i in id..<subtreeEnd(id) {
            let node = nodes[i]
            if node.isList {
                length += 2
            } else {
                if node.isHinted {
                    guard let hint = hints[UInt32(i)] else { return nil }
                    length += 3 + CanonicalPrinter.decimalDigits(Int(hint.length)) + Int(hint.length)
                }
                length += CanonicalPrinter.decimalDigits(node.count) + 1 + node.count
            }
        }
        return start + length <= outer.upperBound ? start..<start + length : nil
    }

    /// Where the canonical encoding of `id` would start in the input, found from its first
    /// atom (the lists that open before it each take one byte).
    func canonicalStart(_ id: NodeID) -> Int? {
        var first = id
        var opens = 0
        while isList(first) {
            guard childCount(first) > 0 else { return nil }
            opens += 1
            first += 1
        }
        let node = nodes[first]
        var start = Int(node.a) - 1 - CanonicalPrinter.decimalDigits(node.count)
        if node.isHinted {
            guard let hint = hints[UInt32(first)] else { return nil }
            start -= 3 + CanonicalPrinter.decimalDigits(Int(hint.length)) + Int(hint.length)
        }
        start -= opens
        return start >= 0 && Int(node.a) <= source.count ? start : nil
    }

    private static func expect(_ byte: UInt8, in input: UnsafeBufferPointer<UInt8>, at position: inout Int) -> Bool {
        guard position < input.count, input[position] == byte else { return false }
        position += 1
        return true
    }

    /// `<length>:` in shortest decimal at `position`, then the atom's bytes, which must be
    /// the input's own bytes there (a verbatim atom at exactly this offset).
    private static func expectString(offset: Int, length: Int, in input: UnsafeBufferPointer<UInt8>, at position: inout Int) -> Bool {
        let digits = CanonicalPrinter.decimalDigits(length)
        guard position + digits + 1 + length <= input.count else { return false }
        var value = length
        for k in stride(from: position + digits - 1, through: position, by: -1) {
            guard input[k] == 0x30 + UInt8(value % 10) else { return false }
            value /= 10
        }
        guard input[position + digits] == 0x3A, offset == position + digits + 1 else { return false }
        position = offset + length
        return true
    }
}
