extension SExprDocument {
    /// Flattens values into a document, so that every printer has one code path.
    /// Atom bytes are copied into the document's side buffer.
    public init(values: [SExpr]) {
        var nodes: [Node] = []
        var hints: [UInt32: Hint] = [:]
        var bytes: [UInt8] = []
        // A work list of values still to flatten, and the open lists awaiting their end.
        var pending: [(value: SExpr, closesAfter: Int)] = []
        var openLists: [Int] = []
        func appendAtom(_ atom: SExpr.Atom) {
            var flags: UInt32 = 0
            if let hint = atom.hint {
                flags = Kind.hinted
                hints[UInt32(nodes.count)] = Hint(offset: UInt32(bytes.count), length: UInt32(hint.count))
                bytes.append(contentsOf: hint)
            }
            nodes.append(Node(a: UInt32(bytes.count), b: flags | UInt32(atom.bytes.count)))
            bytes.append(contentsOf: atom.bytes)
        }
        for root in values {
            pending.append((root, 0))
            while let (value, closes) = pending.popLast() {
                switch value {
                case .atom(let atom):
                    appendAtom(atom)
                case .list(let items):
                    openLists.append(nodes.count)
                    nodes.append(Node(a: 0, b: Kind.list | UInt32(items.count)))
                    if items.isEmpty {
                        nodes[openLists.removeLast()].a = UInt32(nodes.count)
                    } else {
                        // The last item closes this list, and whatever `value` closed.
                        pending.append((items[items.count - 1], closes + 1))
                        for item in items.dropLast().reversed() { pending.append((item, 0)) }
                        continue
                    }
                }
                for _ in 0..<closes {
                    nodes[openLists.removeLast()].a = UInt32(nodes.count)
                }
            }
        }
        self.init(source: [], decoded: bytes, nodes: NodeStore(nodes), hints: hints, rootCount: values.count)
    }
}
