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
        var principals: [TagBytes: Principal] = [:]
        // One item: the cert at `node` keeps its canonical input bytes, and a `(tag ...)`,
        // `(issuer P)` or `(subject P)` whose bytes were read before is not read again (the
        // same bytes read the same; a chain's subject is the next link's issuer).
        func item(_ item: SExpr, node: SExprDocument.NodeID) throws(SPKIError) -> Item {
            guard item.head == "cert", let range = document.canonicalRange(node) else {
                return try Self.item(item, warnings: &warnings)
            }
            let fields = Self.fieldRanges(of: node, in: document)
            let tagKey = fields.tag.map { TagBytes(document.source[$0]) }
            let issuerKey = fields.issuer.map { TagBytes(document.source[$0]) }
            let subjectKey = fields.subject.map { TagBytes(document.source[$0]) }
            let known = Cert.Known(tag: tagKey.flatMap { tags[$0] }, issuer: issuerKey.flatMap { principals[$0] },
                                   subject: subjectKey.flatMap { principals[$0] },
                                   issuerBytes: issuerKey?.bytes, subjectBytes: subjectKey?.bytes)
            guard case .cert(var cert) = try Self.item(item, warnings: &warnings, known: known) else {
                preconditionFailure("a `(cert ...)` reads as a cert")
            }
            cert.receivedBytes = ReceivedBytes(document.source[range])
            if let tagKey, let tag = cert.tag, known.tag == nil { tags[tagKey] = tag }
            if let issuerKey, known.issuer == nil, case .principal(let p) = cert.issuer { principals[issuerKey] = p }
            if let subjectKey, known.subject == nil, case .principal(let p) = cert.subject { principals[subjectKey] = p }
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

    /// The input bytes of a canonical cert's `(tag ...)` field, and of the value `P` of its
    /// `(issuer P)` and `(subject P)` fields when `P` is a `(public-key ...)` or `(hash ...)`.
    private static func fieldRanges(of cert: SExprDocument.NodeID, in document: SExprDocument)
        -> (tag: Range<Int>?, issuer: Range<Int>?, subject: Range<Int>?) {
        var result: (tag: Range<Int>?, issuer: Range<Int>?, subject: Range<Int>?) = (nil, nil, nil)
        for child in document.children(cert) where document.isList(child) && document.childCount(child) == 2 {
            let head = child + 1
            guard !document.isList(head), document.atomHint(head) == nil else { continue }
            if document.withAtomBytes(head, { $0.elementsEqual(Self.tagWord) }) {
                result.tag = document.canonicalRange(child)
                continue
            }
            let isIssuer = document.withAtomBytes(head, { $0.elementsEqual(Self.issuerWord) })
            guard isIssuer || document.withAtomBytes(head, { $0.elementsEqual(Self.subjectWord) }) else { continue }
            // The value: the node after the head atom, a principal if headed by a plain atom
            // `public-key` or `hash`.
            let value = head + 1
            guard document.isList(value), document.childCount(value) >= 1, !document.isList(value + 1),
                  document.atomHint(value + 1) == nil,
                  document.withAtomBytes(value + 1, { $0.elementsEqual(Self.publicKeyWord) || $0.elementsEqual(Self.hashWord) }) else { continue }
            if isIssuer { result.issuer = document.canonicalRange(value) } else { result.subject = document.canonicalRange(value) }
        }
        return result
    }

    private static let tagWord = Array("tag".utf8)
    private static let issuerWord = Array("issuer".utf8)
    private static let subjectWord = Array("subject".utf8)
    private static let publicKeyWord = Array("public-key".utf8)
    private static let hashWord = Array("hash".utf8)
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
