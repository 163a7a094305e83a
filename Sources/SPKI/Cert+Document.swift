import SExpr

extension Cert {
    /// Field values already read in the same document, by their canonical input bytes:
    /// the same bytes read the same, so a `(tag ...)` or a principal seen before is not read
    /// again (a chain's subject is the next link's issuer, and its links often grant the
    /// same tag), and certs share one `Tag` value, which makes comparing them cheap.
    struct ReadCache {
        var tags: [CanonicalBytes: Tag] = [:]
        /// Principals by the SHA-256 of their canonical bytes (for a key, its identity).
        var principals: [DigestKey: Principal] = [:]
        /// The last principals and tag read, with their bytes, compared first: in a chain
        /// the issuer is the previous subject, the signer the issuer, the tag the previous
        /// one, and comparing bytes is cheaper than hashing them.
        var recent: [(bytes: CanonicalBytes, principal: Principal)] = []
        var lastTag: (bytes: CanonicalBytes, tag: Tag)?
        /// The last `(valid ...)` field read without a warning.
        var lastValidity: (bytes: CanonicalBytes, validity: Validity)?

        /// The `(valid ...)` field at `node` (see `Cert.validity(_:in:warnings:)`); the
        /// same bytes as the last one read without a warning read the same.
        mutating func validity(_ node: SExprDocument.NodeID, in document: SExprDocument, cert: Range<Int>,
                               warnings: inout [SPKIWarning]) -> Validity? {
            guard let range = document.canonicalRange(node, within: cert) else { return nil }
            let bytes = CanonicalBytes(document.source[range])
            if let lastValidity, lastValidity.bytes == bytes { return lastValidity.validity }
            var read: [SPKIWarning] = []
            guard let validity = Cert.validity(node, in: document, warnings: &read) else { return nil }
            if read.isEmpty { lastValidity = (bytes, validity) }
            warnings += read
            return validity
        }

        /// The principal `(public-key ...)` or `(hash ...)` at `node`, or `nil` when it
        /// does not read as one.
        /// `cert` is the input range of the cert that holds it.
        mutating func principal(_ node: SExprDocument.NodeID, in document: SExprDocument, cert: Range<Int>) -> Principal? {
            guard let range = document.canonicalRange(node, within: cert) else { return nil }
            let bytes = CanonicalBytes(document.source[range])
            if let known = recentPrincipal(bytes) { return known }
            let key = bytes.bytes.withUnsafeBytes { DigestKey(.sha256, of: $0) }
            let principal: Principal
            if let known = principals[key] {
                principal = known
            } else {
                guard let read = Self.readPrincipal(node, in: document, digest: key) else { return nil }
                principals[key] = read
                principal = read
            }
            if recent.count == 2 { recent.removeFirst() }
            recent.append((bytes, principal))
            return principal
        }

        /// A new principal: a key `(public-key (ALG ...))` with its identity, the SHA-256 of
        /// its canonical bytes `digest` (what `Principal(parsing:)` checks of a key's shape,
        /// on the nodes), or anything else through `Principal(parsing:)`.
        private static func readPrincipal(_ node: SExprDocument.NodeID, in document: SExprDocument, digest: DigestKey) -> Principal? {
            if document.hasHead(node, Words.publicKey), document.childCount(node) == 2, document.isList(node + 2),
               document.childCount(node + 2) > 0, !document.isList(node + 3), !document.isHinted(node + 3),
               document.withAtomBytes(node + 3, { String(validating: $0, as: UTF8.self) != nil }) {
                return Principal(sexp: document.value(node), id: PrincipalID(bytes: digest.bytes))
            }
            return try? Principal(parsing: document.value(node), canonicalDigest: digest.bytes)
        }

        /// A principal read lately whose bytes are `bytes`.
        func recentPrincipal(_ bytes: CanonicalBytes) -> Principal? {
            for entry in recent.reversed() where entry.bytes == bytes { return entry.principal }
            return nil
        }

        /// The tag of the `(tag ...)` field at `node`, or `nil` when it does not read as one.
        mutating func tag(_ node: SExprDocument.NodeID, in document: SExprDocument, cert: Range<Int>) -> Tag? {
            guard let range = document.canonicalRange(node, within: cert) else { return nil }
            let key = CanonicalBytes(document.source[range])
            if let lastTag, lastTag.bytes == key { return lastTag.tag }
            let tag: Tag
            if let known = tags[key] {
                tag = known
            } else {
                guard let read = try? Tag(field: document.value(node)).normalized else { return nil }
                tags[key] = read
                tag = read
            }
            lastTag = (key, tag)
            return tag
        }
    }

    /// Reads the `(cert ...)` at `node` of a document parsed from canonical input, whose
    /// input bytes are `range`, straight from the document's nodes: atoms are compared as
    /// bytes, and only the values a cert keeps as expressions (new principals and tags,
    /// names, infos, comments) are built. `source` is not built: it is read from the input
    /// bytes when asked for.
    ///
    /// `nil` when the cert is anything but well formed (a field unknown, repeated or out of
    /// order, a value that does not read): the caller then reads it with
    /// `init(parsing:warnings:)`, which gives the error. So a cert read here is exactly the
    /// one `init(parsing:warnings:)` reads from the same expression, with the same warnings
    /// (`SequenceFastPathTests`).
    init?(reading document: SExprDocument, node: SExprDocument.NodeID, range: Range<Int>,
          cache: inout ReadCache, warnings: inout [SPKIWarning]) {
        guard document.hasHead(node, Words.cert) else { return nil }
        // The node of each field, by its rank in the draft's order (-1: absent).
        var fields = (version: -1, display: -1, issuer: -1, issuerInfo: -1, subject: -1,
                      subjectInfo: -1, propagate: -1, tag: -1, valid: -1, comment: -1)
        var lastRank = -1
        let end = document.subtreeEnd(node)
        var field = node + 2
        while field < end {
            guard document.isList(field), document.childCount(field) > 0 else { return nil }
            // Only the ranks after the last one are allowed.
            var rank = lastRank + 1
            while rank < Words.fields.count, !document.isWord(field + 1, Words.fields[rank]) { rank += 1 }
            switch rank {
            case 0: fields.version = field
            case 1: fields.display = field
            case 2: fields.issuer = field
            case 3: fields.issuerInfo = field
            case 4: fields.subject = field
            case 5: fields.subjectInfo = field
            case 6: fields.propagate = field
            case 7: fields.tag = field
            case 8: fields.valid = field
            case 9: fields.comment = field
            default: return nil
            }
            lastRank = rank
            field = document.subtreeEnd(field)
        }
        // `(name VALUE)`: the value's node.
        func single(_ field: Int) -> Int? {
            field >= 0 && document.childCount(field) == 2 ? field + 2 : nil
        }
        func atom(_ field: Int) -> SExpr.Atom?? {
            guard field >= 0 else { return .some(nil) }
            guard let value = single(field), !document.isList(value) else { return nil }
            return .some(document.atom(value))
        }
        guard let issuerValue = single(fields.issuer), let subjectValue = single(fields.subject) else { return nil }
        let issuer: Issuer
        let tag: Tag?
        if document.hasHead(issuerValue, Words.name) {
            guard fields.tag < 0, fields.propagate < 0, let name = try? SDSIName(parsing: document.value(issuerValue)),
                  let principal = name.principal, name.names.count == 1 else { return nil }
            issuer = .name(principal, name.names[0])
            tag = nil
        } else {
            guard let principal = cache.principal(issuerValue, in: document, cert: range), fields.tag >= 0,
                  let read = cache.tag(fields.tag, in: document, cert: range) else { return nil }
            issuer = .principal(principal)
            tag = read
        }
        let subject: Subject
        if document.hasHead(subjectValue, Words.publicKey) || document.hasHead(subjectValue, Words.hash) {
            guard let principal = cache.principal(subjectValue, in: document, cert: range) else { return nil }
            subject = .principal(principal)
        } else {
            guard let read = try? Subject(parsing: document.value(subjectValue)) else { return nil }
            subject = read
        }
        guard fields.propagate < 0 || document.childCount(fields.propagate) == 1,
              let version = atom(fields.version), let display = atom(fields.display) else { return nil }
        var validity = Validity.always
        var newWarnings: [SPKIWarning] = []
        if fields.valid >= 0 {
            guard let read = cache.validity(fields.valid, in: document, cert: range, warnings: &newWarnings) else { return nil }
            validity = read
        }
        var comment: SExpr?
        if fields.comment >= 0 {
            guard let value = single(fields.comment) else { return nil }
            comment = document.value(value)
        }
        warnings += newWarnings
        self.init(version: version, display: display, issuer: issuer,
                  issuerInfo: fields.issuerInfo >= 0 ? document.value(fields.issuerInfo) : nil, subject: subject,
                  subjectInfo: fields.subjectInfo >= 0 ? document.value(fields.subjectInfo) : nil,
                  propagate: fields.propagate >= 0, tag: tag, validity: validity, comment: comment,
                  received: document.source[range])
    }

    /// The `(valid ...)` field at `node`: bounds read from their bytes, anything else
    /// (online tests) by `Validity(parsing:warnings:)`; `nil` when it does not read.
    fileprivate static func validity(_ node: SExprDocument.NodeID, in document: SExprDocument,
                                 warnings: inout [SPKIWarning]) -> Validity? {
        var validity = Validity()
        var stage = 0
        var bounds: [SPKIWarning] = []
        let end = document.subtreeEnd(node)
        var item = node + 2
        while item < end {
            let order = !document.isList(item) || document.childCount(item) != 2 || document.isList(item + 2) ? 0
                : document.isWord(item + 1, Words.notBefore) ? 1 : document.isWord(item + 1, Words.notAfter) ? 2 : 0
            guard order > 0 else {
                // Another shape: read the whole field from its value (its warnings only).
                var all: [SPKIWarning] = []
                guard let read = try? Validity(parsing: document.value(node), warnings: &all) else { return nil }
                warnings += all
                return read
            }
            guard order > stage else { return nil }
            stage = order
            let name = order == 1 ? "not-before" : "not-after"
            let date = document.withAtomBytes(item + 2) { bytes in
                Result { () throws(SPKIError) in try Validity.bound(name, bytes, warnings: &bounds) }
            }
            guard case .success(let date) = date else { return nil }
            if order == 1 { validity.notBefore = date } else { validity.notAfter = date }
            item = document.subtreeEnd(item)
        }
        warnings += bounds
        return validity
    }

    /// The words compared as bytes.
    enum Words {
        static let cert = Array("cert".utf8)
        static let name = Array("name".utf8)
        static let publicKey = Array("public-key".utf8)
        static let hash = Array("hash".utf8)
        static let notBefore = Array("not-before".utf8)
        static let notAfter = Array("not-after".utf8)
        /// The fields of a cert, in order (`fieldOrder`).
        static let fields = fieldOrder.map { Array($0.utf8) }
    }
}
