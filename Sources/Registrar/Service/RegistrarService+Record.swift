import PolicyCompiler
import SExpr

/// Recording what an epoch issued: its certs, its users' chains and its hosts' bundles,
/// each table written with one multi-row statement (`DBTransaction.insert`) for all the
/// epochs given (a renewal batch records many vpxis at once), in the caller's transaction
/// (nothing is returned to anyone before it commits).
extension RegistrarService {
    /// Records an epoch's certs, chains and bundles.
    func store(_ issue: EpochIssue, requester: String, in tx: any DBTransaction, now: Int64) async throws {
        try await store([issue], requester: requester, in: tx, now: now)
    }

    /// Records the epochs of several vpxis (one each): one multi-row statement per table
    /// for all of them.
    func store(_ issues: [EpochIssue], requester: String, in tx: any DBTransaction, now: Int64) async throws {
        var certs: [[DBValue]] = []
        var chains: [[DBValue]] = []
        var bundles: [[DBValue]] = []
        for issue in issues {
            let vpxi = issue.vpxi
            let epoch = Int64(issue.epoch.index)
            var bodies: [String: (canonical: [UInt8], signed: Bool)] = [:]
            certs.reserveCapacity(certs.count + issue.certs.count)
            for cert in issue.certs {
                let canonical = cert.canonical ?? cert.body.canonical
                bodies[cert.hash] = (canonical, cert.signed)
                // Signed here, except the owners' delegations (flow 3), which they signed.
                let issuedBy = cert.signed && cert.flow != CertPlan.Flow.userToUser.rawValue ? configuration.name : cert.issuer
                certs.append([.text(cert.hash), .text(vpxi), .int(epoch), .text(cert.flow), .text(cert.machine), .text(cert.issuer), .text(cert.subject),
                              .text(cert.text ?? EpochIssue.text(canonical: canonical, width: 0)), .int(cert.signed ? 1 : 0), .int(cert.notAfter),
                              .text(requester), .text(issuedBy), .int(now)])
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
                var body = EpochIssue.text(canonical: document, width: 72)
                body.append("\n")
                let template = EpochIssue.text(canonical: EpochIssue.templatesCanonical(templates, aclCanonical: aclCanonical), width: 0)
                chains.append([.text(vpxi), .text(user), .int(epoch), .text(template), .text(body), .text(Self.etag(Array(body.utf8)))])
            }
            for (host, bytes) in issue.bundles.sorted(by: { $0.key < $1.key }) {
                bundles.append([.text(host), .text(vpxi), .int(epoch), .text(""), .bytes(bytes), .text(Self.etag(bytes)), .int(now)])
            }
        }
        try await tx.insert(into: "certs", columns: ["hash", "vpxi", "epoch", "flow", "machine", "issuer", "subject", "body", "signed",
                                                     "not_after", "requester", "issued_by", "issued_at"],
                            rows: certs, conflict: "ON CONFLICT (vpxi, epoch, hash) DO NOTHING")
        try await tx.insert(into: "chains", columns: ["vpxi", "principal", "epoch", "template", "body", "etag"], rows: chains, conflict: """
            ON CONFLICT (vpxi, principal) DO UPDATE SET epoch = excluded.epoch, template = excluded.template, body = excluded.body, etag = excluded.etag
            """)
        try await tx.insert(into: "bundles", columns: ["host", "vpxi", "epoch", "body", "data", "etag", "updated_at"], rows: bundles, conflict: """
            ON CONFLICT (host, vpxi) DO UPDATE SET epoch = excluded.epoch, body = excluded.body, data = excluded.data, etag = excluded.etag,
              updated_at = excluded.updated_at
            """)
    }
}
