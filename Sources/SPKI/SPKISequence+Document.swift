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
        var tags: [TagBytes: Tag] = [:]
        // One item: the cert at `node` keeps its canonical input bytes, and a `(tag ...)`
        // whose bytes were read before is not read again (the same bytes read the same).
        func item(_ item: SExpr, node: SExprDocument.NodeID) throws(SPKIError) -> Item {
            guard item.head == "cert", let range = document.canonicalRange(node) else {
                return try Self.item(item, warnings: &warnings)
            }
            let key = Self.tagRange(of: node, in: document).map { TagBytes(document.source[$0]) }
            guard case .cert(var cert) = try Self.item(item, warnings: &warnings, knownTag: key.flatMap { tags[$0] }) else {
                preconditionFailure("a `(cert ...)` reads as a cert")
            }
            cert.receivedBytes = ReceivedBytes(document.source[range])
            if let key, let tag = cert.tag, tags[key] == nil { tags[key] = tag }
            return .cert(cert)
        }
        if value.head == "sequence" {
            // Items follow the sequence's children one for one.
            var items: [Item] = []
            items.reserveCapacity(value.tail.count)
            for (index, (element, node)) in zip(value.tail, document.children(root).dropFirst()).enumerated() {
                do {
                    items.append(try item(element, node: node))
                } catch {
                    throw SPKIError(error.code, "item \(index + 1) of the sequence: \(error.message)", field: error.field, help: error.help)
                }
            }
            self.init(items: items)
        } else {
            self.init(items: [try item(value, node: root)])
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
