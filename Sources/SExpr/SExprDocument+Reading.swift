extension SExprDocument {
    /// Whether node `id` is an atom without a display hint whose bytes are `word`: what
    /// `value(id) == .atom(Atom(word))` says, without building the value.
    @inlinable
    public func isWord(_ id: NodeID, _ word: [UInt8]) -> Bool {
        let node = nodes[id]
        guard !node.isList, !node.isHinted, node.count == word.count else { return false }
        guard node.count > 0 else { return true }
        return withBytes(offset: Int(node.a), length: node.count) { bytes in
            word.withUnsafeBytes { memcmp(bytes.baseAddress!, $0.baseAddress!, $0.count) == 0 }
        }
    }

    /// Whether node `id` is a list whose first child is the word `word` (see `isWord`):
    /// what `value(id).head == word` says for a text word.
    @inlinable
    public func hasHead(_ id: NodeID, _ word: [UInt8]) -> Bool {
        isList(id) && nodes[id].count > 0 && isWord(id + 1, word)
    }

    /// Whether atom `id` has a display hint (`false` for a list).
    @inlinable
    public func isHinted(_ id: NodeID) -> Bool {
        let node = nodes[id]
        return !node.isList && node.isHinted
    }

    /// The atom `id` as a value: its bytes and hint (a precondition failure for a list).
    public func atom(_ id: NodeID) -> SExpr.Atom {
        SExpr.Atom(atomBytes(id), hint: atomHint(id))
    }

    /// The next sibling of node `id` inside its parent list, which ends at node `end`
    /// (the parent's `subtreeEnd`); `nil` after the last one.
    @inlinable
    public func nextSibling(_ id: NodeID, end: NodeID) -> NodeID? {
        let next = subtreeEnd(id)
        return next < end ? next : nil
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
