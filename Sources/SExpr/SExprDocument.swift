/// A parsed input held flat: one array of fixed-size nodes in document order over the
/// input bytes, with no allocation per atom. Verbatim atoms point into the input; atoms
/// that had to be decoded (quoted, hex, base64, transport) point into a side buffer.
///
/// Node `i` is either an atom or a list; a list's children are the nodes that follow it,
/// up to `subtreeEnd(i)`. Top-level expressions follow one another.
public struct SExprDocument: Sendable {
    /// One node, 16 bytes.
    @frozen @usableFromInline
    struct Node: Sendable {
        /// Atom: offset of its bytes. List: offset of its `(` (or transport `{`) in the input.
        @usableFromInline var offset: UInt32
        /// Atom: byte length. List: number of children.
        @usableFromInline var length: UInt32
        /// Atom with a hint: index into `hints`. List: index of the first node after its subtree.
        @usableFromInline var link: UInt32
        /// `Kind` bits.
        @usableFromInline var kind: UInt32

        @usableFromInline init(offset: UInt32, length: UInt32, link: UInt32, kind: UInt32) {
            self.offset = offset
            self.length = length
            self.link = link
            self.kind = kind
        }
    }

    /// Bits of `Node.kind`.
    @usableFromInline enum Kind {
        @usableFromInline static let list: UInt32 = 1
        /// The atom's bytes are in `decoded`, not in `source`.
        @usableFromInline static let decoded: UInt32 = 2
        /// The atom has a display hint.
        @usableFromInline static let hinted: UInt32 = 4
    }

    /// A display hint's bytes.
    @usableFromInline struct Hint: Sendable {
        @usableFromInline var offset: UInt32
        @usableFromInline var length: UInt32
        @usableFromInline var decoded: Bool
    }

    /// The input, as given.
    public let source: [UInt8]
    @usableFromInline var decoded: [UInt8]
    @usableFromInline var nodes: [Node]
    @usableFromInline var hints: [Hint]
    /// The number of top-level expressions.
    public internal(set) var rootCount: Int

    init(source: [UInt8], decoded: [UInt8], nodes: [Node], hints: [Hint], rootCount: Int) {
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
    @inlinable public func isList(_ id: NodeID) -> Bool { nodes[id].kind & Kind.list != 0 }

    /// The index of the first node after the subtree rooted at `id`.
    @inlinable public func subtreeEnd(_ id: NodeID) -> NodeID {
        let node = nodes[id]
        return node.kind & Kind.list != 0 ? Int(node.link) : id + 1
    }

    /// The children of list `id` (empty for an atom).
    public func children(_ id: NodeID) -> [NodeID] {
        guard isList(id) else { return [] }
        var result: [NodeID] = []
        result.reserveCapacity(Int(nodes[id].length))
        var child = id + 1
        let end = Int(nodes[id].link)
        while child < end {
            result.append(child)
            child = subtreeEnd(child)
        }
        return result
    }

    /// The number of children of list `id` (0 for an atom).
    public func childCount(_ id: NodeID) -> Int { isList(id) ? Int(nodes[id].length) : 0 }

    /// The input offset where node `id` starts, when it comes straight from the input
    /// (lists and verbatim atoms); `nil` for atoms that were decoded.
    public func sourceOffset(_ id: NodeID) -> Int? {
        let node = nodes[id]
        if node.kind & Kind.list == 0 && node.kind & Kind.decoded != 0 { return nil }
        return Int(node.offset)
    }

    /// Calls `body` with the bytes of atom `id` without copying them.
    @inlinable
    public func withAtomBytes<R>(_ id: NodeID, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let node = nodes[id]
        precondition(node.kind & Kind.list == 0, "node \(id) is a list, not an atom")
        return try withBytes(offset: node.offset, length: node.length, decoded: node.kind & Kind.decoded != 0, body)
    }

    /// The bytes of atom `id`.
    public func atomBytes(_ id: NodeID) -> [UInt8] { withAtomBytes(id) { Array($0) } }

    /// The display hint of atom `id`, if any.
    public func atomHint(_ id: NodeID) -> [UInt8]? {
        let node = nodes[id]
        guard node.kind & (Kind.list | Kind.hinted) == Kind.hinted else { return nil }
        let hint = hints[Int(node.link)]
        return withBytes(offset: hint.offset, length: hint.length, decoded: hint.decoded) { Array($0) }
    }

    @inlinable
    func withBytes<R>(offset: UInt32, length: UInt32, decoded isDecoded: Bool, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let store = isDecoded ? decoded : source
        return try store.withUnsafeBufferPointer { buffer in
            try body(UnsafeBufferPointer(rebasing: buffer[Int(offset)..<Int(offset + length)]))
        }
    }

    /// The value of node `id`, built without recursion.
    public func value(_ id: NodeID) -> SExpr {
        guard isList(id) else { return .atom(SExpr.Atom(atomBytes(id), hint: atomHint(id))) }
        // Each open list collects its items; a list is closed when the walk reaches its end.
        var stack: [(end: Int, items: [SExpr])] = [(Int(nodes[id].link), [])]
        stack[0].items.reserveCapacity(Int(nodes[id].length))
        var i = id + 1
        while true {
            while let top = stack.last, top.end == i {
                let finished = SExpr.list(stack.removeLast().items)
                if stack.isEmpty { return finished }
                stack[stack.count - 1].items.append(finished)
            }
            if isList(i) {
                var items: [SExpr] = []
                items.reserveCapacity(Int(nodes[i].length))
                stack.append((Int(nodes[i].link), items))
            } else {
                stack[stack.count - 1].items.append(.atom(SExpr.Atom(atomBytes(i), hint: atomHint(i))))
            }
            i += 1
        }
    }

    /// Every top-level expression as a value.
    public var values: [SExpr] { roots.map(value) }
}
