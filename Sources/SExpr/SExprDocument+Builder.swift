extension SExprDocument {
    /// Builds a document node by node, without making `SExpr` values first: for writers of
    /// large generated files (a bundle's `esp.sexp`, `peers.sexp`, `authorized.sexp`),
    /// printed afterwards with `AdvancedPrinter.print(_:)` or `CanonicalPrinter`. The
    /// document is the same as `SExprDocument(values:)` of the equivalent values, so the
    /// printed bytes are the same.
    ///
    ///     var builder = SExprDocument.Builder()
    ///     builder.open("host")          // (host
    ///     builder.field("name", "h1")   //  (name h1)
    ///     builder.close()               // )
    ///     let text = AdvancedPrinter(width: 100).print(builder.build())
    public struct Builder: Sendable {
        var nodes: [Node] = []
        var bytes: [UInt8] = []
        var hints: [UInt32: Hint] = [:]
        /// The open lists: their node index and the children counted so far.
        var stack: [(node: Int, children: Int)] = []
        var roots = 0

        public init(capacity: Int = 0) {
            nodes.reserveCapacity(capacity)
            bytes.reserveCapacity(capacity * 8)
        }

        /// Counts a new node as a child of the open list, or as a root.
        mutating func counted() {
            if stack.isEmpty {
                roots += 1
            } else {
                stack[stack.count - 1].children += 1
            }
        }

        /// Opens a list; `close()` ends it.
        public mutating func open() {
            counted()
            stack.append((nodes.count, 0))
            nodes.append(Node(a: 0, b: Kind.list))
        }

        /// Opens a list whose first element is the atom `head`.
        public mutating func open(_ head: String) {
            open()
            atom(head)
        }

        /// Ends the innermost open list.
        public mutating func close() {
            let (node, children) = stack.removeLast()
            nodes[node] = Node(a: UInt32(nodes.count), b: Kind.list | UInt32(children))
        }

        /// An atom of `bytes`, with an optional display hint.
        public mutating func atom<Bytes: Collection<UInt8>>(bytes value: Bytes, hint: [UInt8]? = nil) {
            counted()
            var flags: UInt32 = 0
            if let hint {
                flags = Kind.hinted
                hints[UInt32(nodes.count)] = Hint(offset: UInt32(bytes.count), length: UInt32(hint.count))
                bytes.append(contentsOf: hint)
            }
            nodes.append(Node(a: UInt32(bytes.count), b: flags | UInt32(value.count)))
            bytes.append(contentsOf: value)
        }

        /// An atom of the UTF-8 bytes of `text`.
        public mutating func atom(_ text: String) {
            atom(bytes: text.utf8)
        }

        /// `(name value)`.
        public mutating func field(_ name: String, _ value: String) {
            open(name)
            atom(value)
            close()
        }

        /// A value, flattened into the document.
        public mutating func append(_ value: SExpr) {
            switch value {
            case .atom(let atom):
                self.atom(bytes: atom.bytes, hint: atom.hint)
            case .list(let items):
                open()
                for item in items { append(item) }
                close()
            }
        }

        /// The document (every list closed).
        public func build() -> SExprDocument {
            precondition(stack.isEmpty, "SExprDocument.Builder: a list is still open")
            return SExprDocument(source: [], decoded: bytes, nodes: NodeStore(nodes), hints: hints, rootCount: roots)
        }
    }
}
