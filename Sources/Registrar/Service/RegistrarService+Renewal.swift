import PolicyCompiler
import RSA
import SExpr
import SPKI

/// Renewal: before each epoch starts, the registrar that builds a vpxi issues the next
/// epoch's certificates, chains and bundles. Certificates are valid for the lifetime
/// and renewed every renewal period, so a registrar down for less than (lifetime −
/// renewal period) interrupts nobody: the certificates already pulled still hold.
extension RegistrarService {
    /// The epoch to issue for a vpxi whose latest issued epoch is `current`: the next one
    /// when its start is within the advance, or the one in force if the registrar fell
    /// behind; nil when nothing is due.
    func dueEpoch(_ schedule: RenewalSchedule, current: Int, now: Int64) -> RenewalSchedule.Epoch? {
        guard let inForce = schedule.epoch(at: now) else { return nil }
        var next = max(current + 1, inForce.index)
        if next == current { next += 1 }
        guard next < schedule.count else { return nil }
        let epoch = schedule.epoch(next)
        let advance = min(configuration.renewalAdvance, max(1, schedule.renewal / 2))
        return epoch.start - advance <= now ? epoch : nil
    }

    /// Issues every renewal that is due now; returns how many epochs were issued.
    @discardableResult
    public func renewDue() async throws(RegistrarError) -> Int {
        let now = self.now
        let me = configuration.name
        let rows = try await storage {
            try await database.read("SELECT name, epoch FROM vpxis WHERE registrar = $1 AND status = 'active' AND window_end > $2 ORDER BY name",
                                    [.text(me), .int(now)])
        }
        return await renewAll(rows.compactMap { $0["name"].text }, now: now)
    }

    /// Issues the due epoch of one vpxi, if any: read, issue outside the database, then
    /// write if nothing changed meanwhile (a batch of one, `renewBatch`).
    func renew(vpxi name: String, now: Int64) async throws(RegistrarError) -> Bool {
        let batch = try await renewBatch([name], now: now)
        if let failure = batch.failures.first { throw failure.error }
        return batch.renewed == 1
    }

    /// Signs the registrar → registrar certs other registrars planned with this one as
    /// issuer (paper 4.2.2: a resource enrolled here used in a vpxi another registrar
    /// builds), after checking that the resource is enrolled here and allocated to that
    /// vpxi; then refreshes the chains that wait for them. Returns how many were signed.
    @discardableResult
    public func signPending() async throws(RegistrarError) -> Int {
        let me = configuration.name
        let key = configuration.key
        let myID = principal.id
        return try await storage {
            try await database.transaction { tx -> Int in
                let rows = try await tx.query("""
                    SELECT c.hash, c.vpxi, c.epoch, c.body, c.data, c.machine FROM certs c
                    JOIN slots s ON s.vpxi = c.vpxi AND s.machine = c.machine JOIN hosts h ON h.name = s.host
                    WHERE c.signed = 0 AND c.flow = 'registrar-registrar' AND c.issued_by = $1 AND h.registrar = $1
                    """, [.text(me)])
                var touched: Set<String> = []
                for row in rows {
                    var warnings: [SPKIWarning] = []
                    let cert = try Cert(parsing: try Self.recordedCertValue(row), warnings: &warnings)
                    guard cert.issuer.principal.id == myID else { continue }
                    let signature = try cert.sign(with: key)
                    let body = EpochIssue.sequenceCanonical(cert: cert.sexp.canonical, signature: signature.sexp.canonical)
                    let vpxi = try row.text("vpxi")
                    try await tx.query("UPDATE certs SET body = '', data = $4, signed = 1, issued_at = $5 WHERE vpxi = $1 AND epoch = $2 AND hash = $3",
                                       [.text(vpxi), .int(try row.int("epoch")), .text(try row.text("hash")), .bytes(body), .int(self.now)])
                    touched.insert(vpxi)
                }
                for vpxi in touched.sorted() {
                    try await self.refreshChains(vpxi: vpxi, in: tx)
                    self.etags.forget(vpxi: vpxi)
                }
                return rows.count
            }
        }
    }

    /// Brings every stored chain of a vpxi up to date with the certs' rows: its ETag (the
    /// digest of the document built from them; `body` emptied, so a row written before
    /// migration 5 is built from the certs from now on).
    func refreshChains(vpxi: String, in tx: any DBTransaction) async throws {
        var byEpoch: [Int64: [String: (canonical: [UInt8], signed: Bool)]] = [:]
        for row in try await tx.query("SELECT vpxi, principal, epoch, template FROM chains WHERE vpxi = $1", [.text(vpxi)]) {
            let epoch = try row.int("epoch")
            if byEpoch[epoch] == nil {
                byEpoch[epoch] = try await Self.chainCerts(vpxi: vpxi, epoch: epoch) { try await tx.query($0, $1) }
            }
            let document = try Self.chainDocument(row, certs: byEpoch[epoch]!)
            try await tx.query("UPDATE chains SET body = '', etag = $3 WHERE vpxi = $1 AND principal = $2",
                               [.text(vpxi), .text(try row.text("principal")), .text(Self.etag(document))])
        }
    }
}
