import PolicyCompiler
import SExpr

/// Recording what an epoch issued: its certs, its users' chains and its hosts' bundles,
/// each table written with one multi-row statement (`DBTransaction.insert`) for all the
/// epochs given (a renewal batch records many vpxis at once), in the caller's transaction
/// (nothing is returned to anyone before it commits).
///
/// Since migration 5 (see `Migrations`):
/// - a cert is recorded as its canonical bytes (`certs.data`; `body` is left empty);
/// - the enrolled resource → registrar certs, which every epoch presents unchanged, are
///   recorded once per vpxi (`every_epoch = 1`, at the first epoch that presents them),
///   not once per epoch; everything the registrar signs is still recorded per epoch;
/// - a user's chains are recorded as their template and ETag (the SHA-256 of the
///   document's canonical bytes): the document is built from the certs' rows when pulled
///   (`RegistrarService+ChainDocuments`), the same bytes as rendering it here.
///
/// Since migration 6, a bundle is stored as a base plus a delta (`RegistrarService+BundleRows`),
/// its ETag derived from its manifest and signature (`BundleETag`).
///
/// An enrolled cert already recorded for every epoch is not sent again (run P): those this
/// registrar knows recorded (`EnrolledRecords`) are left out, the others are looked up in
/// the transaction (their vpxis' `every_epoch = 1` rows) and only those missing are
/// inserted, as before with `ON CONFLICT DO NOTHING`: the rows the table ends with are the
/// same as when every epoch inserted them all and the unique index `certs_enrolled` left
/// the known ones as they were.
extension RegistrarService {
    /// Records an epoch's certs, chains and bundles.
    func store(_ issue: EpochIssue, requester: String, in tx: any DBTransaction, now: Int64) async throws {
        try await store([issue], requester: requester, in: tx, now: now)
    }

    static let certColumns = ["hash", "vpxi", "epoch", "flow", "machine", "issuer", "subject", "body", "data", "signed", "not_after",
                              "requester", "issued_by", "issued_at", "every_epoch"]

    /// Records the epochs of several vpxis (one each): one multi-row statement per table
    /// for all of them. Returns the enrolled certs the transaction saw recorded for every
    /// epoch, for the caller to remember once it has committed (`EnrolledRecords`).
    @discardableResult
    func store(_ issues: [EpochIssue], requester: String, in tx: any DBTransaction, now: Int64) async throws -> Set<EnrolledRecords.Key> {
        var certs: [[DBValue]] = []
        var enrolled: [(key: EnrolledRecords.Key, row: [DBValue])] = []
        var chains: [[DBValue]] = []
        var bundles: [BundleWrite] = []
        let enrolledFlow = CertPlan.Flow.resourceToRegistrar.rawValue
        let delegatedFlow = CertPlan.Flow.userToUser.rawValue
        for issue in issues {
            let vpxi = issue.vpxi
            let epoch = Int64(issue.epoch.index)
            var bodies: [String: (canonical: [UInt8], signed: Bool)] = [:]
            certs.reserveCapacity(certs.count + issue.certs.count)
            for cert in issue.certs {
                let canonical = cert.canonical ?? cert.body.canonical
                bodies[cert.hash] = (canonical, cert.signed)
                let everyEpoch = cert.flow == enrolledFlow
                let enrolledKey = everyEpoch ? EnrolledRecords.Key(vpxi: vpxi, hash: cert.hash) : nil
                if let enrolledKey, enrolledRecords.contains(enrolledKey) { continue }
                // Signed here, except the owners' delegations (flow 3), which they signed.
                let issuedBy = cert.signed && cert.flow != delegatedFlow ? configuration.name : cert.issuer
                let row: [DBValue] = [.text(cert.hash), .text(vpxi), .int(epoch), .text(cert.flow), .text(cert.machine), .text(cert.issuer),
                                      .text(cert.subject), .text(""), .bytes(canonical), .int(cert.signed ? 1 : 0), .int(cert.notAfter),
                                      .text(requester), .text(issuedBy), .int(now), everyEpoch ? .int(1) : .null]
                if let enrolledKey { enrolled.append((enrolledKey, row)) } else { certs.append(row) }
            }
            // Each machine's ACL once for all the users' chains to it.
            var acls: [String: [UInt8]] = [:]
            let aclCanonical = { (template: EpochIssue.ChainTemplate) -> [UInt8] in
                if let known = acls[template.machine] { return known }
                let canonical = template.acl.canonical
                acls[template.machine] = canonical
                return canonical
            }
            for (user, templates) in issue.chains.sorted(by: { $0.key < $1.key }) {
                let document = EpochIssue.chainDocumentCanonical(vpxi: vpxi, user: user, epoch: issue.epoch.index, templates: templates,
                                                                  aclCanonical: aclCanonical, certs: bodies)
                let template = EpochIssue.text(canonical: EpochIssue.templatesCanonical(templates, aclCanonical: aclCanonical), width: 0)
                chains.append([.text(vpxi), .text(user), .int(epoch), .text(template), .text(""), .text(Self.etag(document))])
            }
            for (host, bytes) in issue.bundles.sorted(by: { $0.key < $1.key }) {
                bundles.append(BundleWrite(host: host, vpxi: vpxi, epoch: epoch, bytes: bytes, etag: BundleETag.of(bytes)))
            }
        }
        try await tx.insert(into: "certs", columns: Self.certColumns, rows: certs, conflict: "ON CONFLICT (vpxi, epoch, hash) DO NOTHING")
        // Once per vpxi: those the database holds for every epoch are left out; for the
        // others, the unique index `certs_enrolled` (vpxi, hash) where every_epoch = 1 (and,
        // for an epoch issued again, the primary key of a row recorded before migration 5)
        // still leaves a cert already recorded as it is.
        let seen = try await Self.storeEnrolled(enrolled, in: tx)
        try await tx.insert(into: "chains", columns: ["vpxi", "principal", "epoch", "template", "body", "etag"], rows: chains, conflict: """
            ON CONFLICT (vpxi, principal) DO UPDATE SET epoch = excluded.epoch, template = excluded.template, body = excluded.body, etag = excluded.etag
            """)
        try await storeBundles(bundles, in: tx, now: now)
        return seen
    }

    /// Records the enrolled certs `enrolled` (rows of `certColumns` with `every_epoch = 1`)
    /// that `tx` does not see recorded for every epoch; returns those it sees.
    static func storeEnrolled(_ enrolled: [(key: EnrolledRecords.Key, row: [DBValue])], in tx: any DBTransaction) async throws -> Set<EnrolledRecords.Key> {
        guard !enrolled.isEmpty else { return [] }
        let seen = try await recordedForEveryEpoch(Set(enrolled.map(\.key.vpxi)), in: tx)
        try await tx.insert(into: "certs", columns: certColumns, rows: enrolled.filter { !seen.contains($0.key) }.map(\.row),
                            conflict: "ON CONFLICT DO NOTHING")
        return seen
    }

    /// The enrolled certs `tx` sees recorded for every epoch of `vpxis` (the partial index
    /// `certs_enrolled` answers it; two short texts a row).
    static func recordedForEveryEpoch(_ vpxis: Set<String>, in tx: any DBTransaction) async throws -> Set<EnrolledRecords.Key> {
        guard !vpxis.isEmpty else { return [] }
        var seen: Set<EnrolledRecords.Key> = []
        for row in try await tx.query("SELECT vpxi, hash FROM certs WHERE every_epoch = 1 AND vpxi IN (\(placeholders(vpxis.count)))",
                                      vpxis.sorted().map(DBValue.text)) {
            seen.insert(EnrolledRecords.Key(vpxi: try row.text("vpxi"), hash: try row.text("hash")))
        }
        return seen
    }
}
