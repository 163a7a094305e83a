import SExpr

extension SPKISequence {
    /// Reads the `(sequence ...)` (or single object) rooted at `root` of a parsed document.
    /// A cert whose input bytes are already canonical keeps them (a slice of the input), so
    /// checking its signature hashes them as received rather than printing the cert again;
    /// any other cert is printed canonically when checked, as with `init(parsing:warnings:)`.
    ///
    /// Certs whose `(tag ...)` fields have the same canonical bytes share one `Tag` value
    /// (the first one read), so that comparing the tags of a chain whose links grant the
    /// same thing finds shared storage instead of walking two trees. Equality and hashing
    /// are unchanged: the values are equal anyway.
    public init(parsing document: SExprDocument, root: SExprDocument.NodeID = 0, warnings: inout [SPKIWarning]) throws(SPKIError) {
        let value = document.value(root)
        try self.init(parsing: value, warnings: &warnings)
        // Items follow the sequence's children one for one (the root itself for a single object).
        let nodes = value.head == "sequence" ? Array(document.children(root).dropFirst()) : [root]
        var tags: [TagBytes: Tag] = [:]
        for (index, node) in nodes.enumerated() where index < items.count {
            guard case .cert(var cert) = items[index], let range = document.canonicalRange(node) else { continue }
            cert.receivedBytes = ReceivedBytes(document.source[range])
            if let tag = cert.tag, let field = Self.tagRange(of: node, in: document) {
                let key = TagBytes(document.source[field])
                if let shared = tags[key] { cert.tag = shared } else { tags[key] = tag }
            }
            items[index] = .cert(cert)
        }
    }

    /// The input bytes of a canonical cert's `(tag ...)` field.
    private static func tagRange(of cert: SExprDocument.NodeID, in document: SExprDocument) -> Range<Int>? {
        for child in document.children(cert) where document.isList(child) && document.childCount(child) == 2 {
            let head = child + 1
            guard !document.isList(head), document.atomHint(head) == nil,
                  document.withAtomBytes(head, { $0.elementsEqual(Self.tagWord) }) else { continue }
            return document.canonicalRange(child)
        }
        return nil
    }

    private static let tagWord = Array("tag".utf8)
}

/// Canonical bytes as a dictionary key, hashed in one pass.
private struct TagBytes: Hashable {
    let bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func == (lhs: TagBytes, rhs: TagBytes) -> Bool {
        lhs.bytes.count == rhs.bytes.count && lhs.bytes.withUnsafeBytes { a in rhs.bytes.withUnsafeBytes { b in a.elementsEqual(b) } }
    }
}
