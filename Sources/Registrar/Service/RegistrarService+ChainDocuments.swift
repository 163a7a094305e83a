import SExpr

/// A user's chains as pulled, built from what is recorded (migration 5): the chain row's
/// template (each machine's ACL and the certs' hashes in order) and the certs' rows of its
/// epoch, with the enrolled certs recorded once for every epoch. The canonical document
/// is `EpochIssue.chainDocumentCanonical`, as when it was stored whole; its ETag the
/// digest of those bytes, fixed when the row is written (`store`, `refreshChains`); the
/// text served its advanced form at width 72 and a newline, byte for byte what was stored
/// before. Rows written before migration 5 keep their document in `body` and are served
/// from it.
extension RegistrarService {
    /// The certs a document of `vpxi`'s epoch `epoch` is made of: the epoch's and the
    /// enrolled ones recorded for every epoch, by hash (the epoch's own row first).
    static func chainCerts(vpxi: String, epoch: Int64, query: (String, [DBValue]) async throws -> [DBRow])
        async throws -> [String: (canonical: [UInt8], signed: Bool)] {
        var certs: [String: (canonical: [UInt8], signed: Bool)] = [:]
        let rows = try await query("""
            SELECT hash, body, data, signed FROM certs WHERE vpxi = $1 AND epoch = $2
            UNION ALL SELECT hash, body, data, signed FROM certs WHERE vpxi = $1 AND every_epoch = 1
            """, [.text(vpxi), .int(epoch)])
        for row in rows {
            let hash = try row.text("hash")
            guard certs[hash] == nil else { continue }
            certs[hash] = (try recordedCert(row), (row["signed"].int ?? 0) != 0)
        }
        return certs
    }

    /// A recorded cert's canonical bytes: `data`, or, in a row written before migration 5,
    /// its text in `body`.
    static func recordedCert(_ row: DBRow) throws(RegistrarError) -> [UInt8] {
        if let data = row["data"].bytes { return data }
        guard let text = row["body"].text, !text.isEmpty else { throw .storage("a recorded cert has neither bytes nor text") }
        do {
            return try SExpr.parse(text).canonical
        } catch {
            throw .storage("a recorded cert's text does not parse: \(error)")
        }
    }

    /// A recorded cert as a value (`(sequence CERT SIGNATURE)`, or the bare cert).
    static func recordedCertValue(_ row: DBRow) throws(RegistrarError) -> SExpr {
        let canonical = try recordedCert(row)
        do {
            return try SExpr.parse(canonical)
        } catch {
            throw .storage("a recorded cert is not one canonical expression: \(error)")
        }
    }

    /// The canonical document of a chain row (`vpxi`, `principal`, `epoch`, `template`)
    /// whose `body` is empty, from the certs `query` reads.
    static func chainDocument(_ row: DBRow, query: (String, [DBValue]) async throws -> [DBRow]) async throws -> [UInt8] {
        let vpxi = try row.text("vpxi")
        let epoch = try row.int("epoch")
        let certs = try await chainCerts(vpxi: vpxi, epoch: epoch, query: query)
        return try chainDocument(row, certs: certs)
    }

    static func chainDocument(_ row: DBRow, certs: [String: (canonical: [UInt8], signed: Bool)]) throws -> [UInt8] {
        let templates = EpochIssue.decode(try SExpr.parse(try row.text("template")))
        return EpochIssue.chainDocumentCanonical(vpxi: try row.text("vpxi"), user: try row.text("principal"), epoch: Int(try row.int("epoch")),
                                                 templates: templates, aclCanonical: { $0.acl.canonical }, certs: certs)
    }

    /// The text served for a canonical document.
    static func chainText(_ canonical: [UInt8]) -> [UInt8] {
        var text = EpochIssue.text(canonical: canonical, width: 72)
        text.append("\n")
        return Array(text.utf8)
    }

    /// The document of a user's chains in `vpxi`, read in `tx` (nil when none is stored):
    /// for the answers to the owner's requests.
    func chainDocument(vpxi: String, user: String, in tx: any DBTransaction) async throws -> SExpr? {
        let rows = try await tx.query("SELECT vpxi, principal, epoch, template, body FROM chains WHERE vpxi = $1 AND principal = $2",
                                      [.text(vpxi), .text(user)])
        guard let row = rows.first else { return nil }
        if let body = row["body"].text, !body.isEmpty { return try SExpr.parse(body) }
        return try SExpr.parse(try await Self.chainDocument(row) { try await tx.query($0, $1) })
    }

    /// A user's chains as pulled (the row's `etag` known not to match): from the rendered
    /// documents kept in memory, else built from the database. The ETag returned is that of
    /// the bytes returned (the digest of the canonical document), whatever changed between
    /// the two reads.
    func pullChainDocument(vpxi: String, user: String) async throws(RegistrarError) -> Pulled {
        let ticket = etags.ticket()
        let key = Self.etagKey("chains", ("vpxi", vpxi, "principal", user))
        let rows = try await storage {
            try await database.read("SELECT vpxi, principal, epoch, template, body, etag FROM chains WHERE vpxi = $1 AND principal = $2",
                                    [.text(vpxi), .text(user)])
        }
        guard let row = rows.first, let stored = row["etag"].text else {
            throw RegistrarError(.notFound, "no chains for user `\(user)` in vpxi `\(vpxi)`")
        }
        metrics.pulled(notModified: false)
        if let body = row["body"].text, !body.isEmpty {
            etags.remember(vpxi: vpxi, key, etag: stored, ticket: ticket)
            return Pulled(body: Array(body.utf8), etag: stored)
        }
        if let text = chainDocuments.document(etag: stored) {
            etags.remember(vpxi: vpxi, key, etag: stored, ticket: ticket)
            return Pulled(body: text, etag: stored)
        }
        let canonical = try await storage { try await Self.chainDocument(row) { try await database.read($0, $1) } }
        let etag = Self.etag(canonical)
        let text = Self.chainText(canonical)
        chainDocuments.remember(etag: etag, document: text)
        if etag == stored { etags.remember(vpxi: vpxi, key, etag: stored, ticket: ticket) }
        return Pulled(body: text, etag: etag)
    }
}
