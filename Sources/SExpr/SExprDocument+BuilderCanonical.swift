extension SExprDocument.Builder {
    /// Appends the one expression encoded canonically in `canonical`, indexed in place and
    /// copied into the builder in bulk: its bytes once, its nodes with their offsets moved
    /// (no call per node, no `SExpr` value). The document built is the same as after
    /// `append(_:)` of the value the bytes encode. Throws, appending nothing, when
    /// `canonical` is not exactly one canonical expression.
    public mutating func append(canonical: [UInt8]) throws(SExprError) {
        let document = try SExprParser(options: .init(canonicalOnly: true)).parse(canonical)
        guard document.rootCount == 1 else {
            throw ParserCore.error(.unexpectedCharacter, in: canonical, at: document.sourceOffset(document.roots[1]) ?? 0,
                                   expected: "end of input after one expression", found: "another expression",
                                   message: "expected one canonical expression, found \(document.rootCount)")
        }
        counted()
        let nodeBase = UInt32(nodes.count)
        let byteBase = UInt32(bytes.count)
        // Atoms and hints address `source ++ decoded`: both copied, one after the other.
        bytes.append(contentsOf: document.source)
        bytes.append(contentsOf: document.decoded)
        document.nodes.withUnsafeBufferPointer { copied in
            nodes.reserveCapacity(nodes.count + copied.count)
            for node in copied {
                // A list's `a` is the index after its subtree; an atom's, its bytes' offset.
                nodes.append(SExprDocument.Node(a: node.a + (node.isList ? nodeBase : byteBase), b: node.b))
            }
        }
        for (node, hint) in document.hints {
            hints[node + nodeBase] = SExprDocument.Hint(offset: hint.offset + byteBase, length: hint.length)
        }
    }
}
