import Hashing
import RSA
import SExpr

extension SPKISequence {
    /// Reads the `(sequence ...)` (or single object) rooted at `root` of a parsed document.
    ///
    /// A cert whose input bytes are canonical is read straight from the document's nodes
    /// (`Cert(reading:…)`): it keeps those bytes (a slice of the input), so checking its
    /// signature hashes them as received, and its `source` is read from them only when
    /// asked for. Certs whose `(tag ...)` fields have the same canonical bytes share one
    /// `Tag` value (the first one read), and a principal whose bytes were read before is
    /// not read again. Signatures over SHA-256 are read from the nodes too. Anything else
    /// (advanced or transport input, keys, `(do ...)`, damaged objects) is read from its
    /// value as `init(parsing:warnings:)` reads it: the same items, warnings and errors
    /// (`SequenceFastPathTests`).
    public init(parsing document: SExprDocument, root: SExprDocument.NodeID = 0, warnings: inout [SPKIWarning]) throws(SPKIError) {
        var cache = Cert.ReadCache()
        func item(_ node: SExprDocument.NodeID) throws(SPKIError) -> Item {
            if document.hasHead(node, Cert.Words.cert) {
                guard let range = document.canonicalRange(node) else { return try Self.item(document.value(node), warnings: &warnings) }
                if let cert = Cert(reading: document, node: node, range: range, cache: &cache, warnings: &warnings) {
                    return .cert(cert)
                }
                // Not well formed: the value's reader says why.
                guard case .cert(var cert) = try Self.item(document.value(node), warnings: &warnings) else {
                    preconditionFailure("a `(cert ...)` reads as a cert")
                }
                cert.receivedBytes = ReceivedBytes(document.source[range])
                return .cert(cert)
            }
            if let signature = Self.signature(node, in: document, cache: &cache) { return .signature(signature) }
            return try Self.item(document.value(node), warnings: &warnings)
        }
        guard document.hasHead(root, Words.sequence) else {
            self.init(items: [try item(root)])
            return
        }
        // Items follow the sequence's children one for one.
        var items: [Item] = []
        items.reserveCapacity(document.childCount(root) - 1)
        let end = document.subtreeEnd(root)
        var node = root + 2
        while node < end {
            do {
                items.append(try item(node))
            } catch {
                throw SPKIError(error.code, "item \(items.count + 1) of the sequence: \(error.message)", field: error.field, help: error.help)
            }
            node = document.subtreeEnd(node)
        }
        self.init(items: items)
    }

    /// The `(signature (hash sha256 |H|) PRINCIPAL (rsa-pkcs1-sha256 |S|))` at `node`, read
    /// from the nodes with its signer's expression shared with an equal principal read
    /// before; `nil` for any other shape or hash (read from the value then, with its error).
    private static func signature(_ node: SExprDocument.NodeID, in document: SExprDocument,
                                  cache: inout Cert.ReadCache) -> SPKISignature? {
        guard document.hasHead(node, Words.signature), document.childCount(node) == 4 else { return nil }
        let hash = node + 2
        guard document.hasHead(hash, Cert.Words.hash), document.childCount(hash) == 3,
              document.isWord(hash + 2, Words.sha256), !document.isList(hash + 3), !document.isHinted(hash + 3) else { return nil }
        let digest = document.atomBytes(hash + 3)
        guard digest.count == HashAlgorithm.sha256.digestLength else { return nil }
        let signer = document.subtreeEnd(hash)
        guard document.hasHead(signer, Cert.Words.publicKey) || document.hasHead(signer, Cert.Words.hash) else { return nil }
        let principal: SExpr
        if let range = document.canonicalRange(signer), let known = cache.recentPrincipal(CanonicalBytes(document.source[range])) {
            principal = known.sexp
        } else {
            principal = document.value(signer)
        }
        let value = document.subtreeEnd(signer)
        guard document.isList(value), document.childCount(value) == 2, document.isWord(value + 1, Words.rsaPKCS1SHA256),
              !document.isList(value + 2), !document.isHinted(value + 2) else { return nil }
        return SPKISignature(hash: .sha256, digest: digest, principal: principal, algorithm: "rsa-pkcs1-sha256",
                             signature: document.atomBytes(value + 2))
    }

    /// The words compared as bytes.
    private enum Words {
        static let sequence = Array("sequence".utf8)
        static let signature = Array("signature".utf8)
        static let sha256 = Array("sha256".utf8)
        static let rsaPKCS1SHA256 = Array("rsa-pkcs1-sha256".utf8)
    }
}
