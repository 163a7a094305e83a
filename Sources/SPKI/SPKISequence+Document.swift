import SExpr

extension SPKISequence {
    /// Reads the `(sequence ...)` (or single object) rooted at `root` of a parsed document.
    /// A cert whose input bytes are already canonical keeps them (a slice of the input), so
    /// checking its signature hashes them as received rather than printing the cert again;
    /// any other cert is printed canonically when checked, as with `init(parsing:warnings:)`.
    public init(parsing document: SExprDocument, root: SExprDocument.NodeID = 0, warnings: inout [SPKIWarning]) throws(SPKIError) {
        let value = document.value(root)
        try self.init(parsing: value, warnings: &warnings)
        // Items follow the sequence's children one for one (the root itself for a single object).
        let nodes = value.head == "sequence" ? Array(document.children(root).dropFirst()) : [root]
        for (index, node) in nodes.enumerated() where index < items.count {
            guard case .cert(var cert) = items[index], let range = document.canonicalRange(node) else { continue }
            cert.receivedBytes = ReceivedBytes(document.source[range])
            items[index] = .cert(cert)
        }
    }

}
