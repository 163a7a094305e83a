extension SExprDocument {
    /// Flattens values into a document, so that every printer has one code path.
    /// Atom bytes are copied into the document's side buffer.
    public init(values: [SExpr]) {
        var nodes: [Node] = []
        var hints: [Hint] = []
        var bytes: [UInt8] = []
        // A work list of values still to flatten, and the open lists awaiting their end.
        var pending: [(value: SExpr, closesAfter: Int)] = []
        var openLists: [Int] = []
        func appendAtom(_ atom: SExpr.Atom) {
            var kind = Kind.decoded
            var link: UInt32 = 0
            if let hint = atom.hint {
                kind |= Kind.hinted
                link = UInt32(hints.count)
                hints.append(Hint(offset: UInt32(bytes.count), length: UInt32(hint.count), decoded: true))
                bytes.append(contentsOf: hint)
            }
            nodes.append(Node(offset: UInt32(bytes.count), length: UInt32(atom.bytes.count), link: link, kind: kind))
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
                    nodes.append(Node(offset: 0, length: UInt32(items.count), link: 0, kind: Kind.list))
                    if items.isEmpty {
                        nodes[openLists.removeLast()].link = UInt32(nodes.count)
                    } else {
                        // The last item closes this list, and whatever `value` closed.
                        pending.append((items[items.count - 1], closes + 1))
                        for item in items.dropLast().reversed() { pending.append((item, 0)) }
                        continue
                    }
                }
                for _ in 0..<closes {
                    nodes[openLists.removeLast()].link = UInt32(nodes.count)
                }
            }
        }
        self.init(source: [], decoded: bytes, nodes: nodes, hints: hints, rootCount: values.count)
    }
}
