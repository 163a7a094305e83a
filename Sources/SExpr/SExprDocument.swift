/// A parsed input held flat: one array of fixed-size nodes in document order over the
/// input bytes, with no allocation per atom. Verbatim atoms point into the input; atoms
/// that had to be decoded (quoted, hex, base64, transport) point into a side buffer.
///
/// Node `i` is either an atom or a list; a list's children are the nodes that follow it,
/// up to `subtreeEnd(i)`. Top-level expressions follow one another.
public struct SExprDocument: Sendable {
    /// One node, 8 bytes.
    ///
    /// `a`: for an atom, the offset of its bytes in the virtual buffer `source ++ decoded`;
    /// for a list, the index of the first node after its subtree.
    /// `b`: `Kind` flags in the top two bits; below them the atom's length or the list's
    /// number of children.
    @frozen @usableFromInline
    struct Node: Sendable {
        @usableFromInline var a: UInt32
        @usableFromInline var b: UInt32

        @usableFromInline init(a: UInt32, b: UInt32) {
            self.a = a
            self.b = b
        }

        @inlinable var isList: Bool { b & Kind.list != 0 }
        @inlinable var isHinted: Bool { b & Kind.hinted != 0 }
        @inlinable var count: Int { Int(b & Kind.countMask) }
    }

    /// Bits of `Node.b`.
    @usableFromInline enum Kind {
        @usableFromInline static let list: UInt32 = 1 << 31
        /// The atom has a display hint, kept in `hints` under the node's index.
        @usableFromInline static let hinted: UInt32 = 1 << 30
        @usableFromInline static let countMask: UInt32 = (1 << 30) - 1
        /// The longest atom a document holds.
        @usableFromInline static let maxAtomLength = Int(countMask)
    }

    /// A display hint's bytes, at an offset in `source ++ decoded`.
    @usableFromInline struct Hint: Sendable {
        @usableFromInline var offset: UInt32
        @usableFromInline var length: UInt32
    }

    /// The input, as given.
    public let source: [UInt8]
    @usableFromInline var decoded: [UInt8]
    @usableFromInline let nodes: NodeStore
    /// Display hints by the index of the atom they belong to.
    @usableFromInline var hints: [UInt32: Hint]
    /// The number of top-level expressions.
    public internal(set) var rootCount: Int

    init(source: [UInt8], decoded: [UInt8], nodes: NodeStore, hints: [UInt32: Hint], rootCount: Int) {
        self.source = source
        self.decoded = decoded
        self.nodes = nodes
        self.hints = hints
        self.rootCount = rootCount
    }

    /// A node's position in the document.
    public typealias NodeID = Int

    /// The total number of nodes (atoms and lists).
    public var nodeCount: Int { nodes.count }

    /// The top-level expressions, in order.
    public var roots: [NodeID] {
        var result: [NodeID] = []
        result.reserveCapacity(rootCount)
        var i = 0
        while i < nodes.count {
            result.append(i)
            i = subtreeEnd(i)
        }
        return result
    }

    /// Whether node `id` is a list.
    @inlinable public func isList(_ id: NodeID) -> Bool { nodes[id].isList }

    /// The index of the first node after the subtree rooted at `id`.
    @inlinable public func subtreeEnd(_ id: NodeID) -> NodeID {
        let node = nodes[id]
        return node.isList ? Int(node.a) : id + 1
    }

    /// The children of list `id` (empty for an atom).
    public func children(_ id: NodeID) -> [NodeID] {
        guard isList(id) else { return [] }
        var result: [NodeID] = []
        result.reserveCapacity(nodes[id].count)
        var child = id + 1
        let end = Int(nodes[id].a)
        while child < end {
            result.append(child)
            child = subtreeEnd(child)
        }
        return result
    }

    /// The number of children of list `id` (0 for an atom).
    public func childCount(_ id: NodeID) -> Int { isList(id) ? nodes[id].count : 0 }

    /// The input offset of atom `id` when its bytes come straight from the input
    /// (verbatim strings and tokens); `nil` for lists and decoded atoms.
    public func sourceOffset(_ id: NodeID) -> Int? {
        let node = nodes[id]
        guard !node.isList, Int(node.a) < source.count else { return nil }
        return Int(node.a)
    }

    /// Calls `body` with the bytes of atom `id` without copying them.
    @inlinable
    public func withAtomBytes<R>(_ id: NodeID, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let node = nodes[id]
        precondition(!node.isList, "node \(id) is a list, not an atom")
        return try withBytes(offset: Int(node.a), length: node.count, body)
    }

    /// The bytes of atom `id`.
    public func atomBytes(_ id: NodeID) -> [UInt8] { withAtomBytes(id) { Array($0) } }

    /// The display hint of atom `id`, if any.
    public func atomHint(_ id: NodeID) -> [UInt8]? {
        let node = nodes[id]
        guard !node.isList, node.isHinted, let hint = hints[UInt32(id)] else { return nil }
        return withBytes(offset: Int(hint.offset), length: Int(hint.length)) { Array($0) }
    }

    /// Calls `body` with `length` bytes at `offset` in `source ++ decoded`.
    @inlinable
    func withBytes<R>(offset: Int, length: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if offset < source.count {
            return try source.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[offset..<offset + length])) }
        }
        let start = offset - source.count
        return try decoded.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<start + length])) }
    }

    /// The value of node `id`, built without recursion.
    public func value(_ id: NodeID) -> SExpr {
        guard isList(id) else { return .atom(SExpr.Atom(atomBytes(id), hint: atomHint(id))) }
        // Each open list collects its items; a list is closed when the walk reaches its end.
        var stack: [(end: Int, items: [SExpr])] = [(Int(nodes[id].a), [])]
        stack[0].items.reserveCapacity(nodes[id].count)
        var i = id + 1
        while true {
            while let top = stack.last, top.end == i {
                let finished = SExpr.list(stack.removeLast().items)
                if stack.isEmpty { return finished }
                stack[stack.count - 1].items.append(finished)
            }
            if isList(i) {
                var items: [SExpr] = []
                items.reserveCapacity(nodes[i].count)
                stack.append((Int(nodes[i].a), items))
            } else {
                stack[stack.count - 1].items.append(.atom(SExpr.Atom(atomBytes(i), hint: atomHint(i))))
            }
            i += 1
        }
    }

    /// Every top-level expression as a value.
    public var values: [SExpr] { roots.map(value) }
}
