import PolicyCompiler
import RSA
import SExpr
import SPKI

/// Flow 3's last step (paper 4.2.3): the owner gives the registrar the delegations it
/// signed, `<owner, U2, A, no-propagate, V>` for each machine `add-user` returned a
/// `(to-sign ...)` for. The registrar checks each against what it asked for, records it
/// (`delegations`, never deleted), re-issues the epoch it holds so that U2's chains and
/// the hosts' bundles (U2's login) carry it, and answers with U2's chains. Every later
/// epoch's issue carries it too, as long as its validity lasts.
///
/// ```
/// (request (op delegate) (time T) (nonce N) (vpxi V)
///   (delegation (machine M) (sequence (cert ...) (signature ...))) ...)
/// ```
extension RegistrarService {
    /// One `(delegation (machine M) (sequence CERT SIGNATURE))` of a request, parsed.
    struct DelegationUpload: Sendable {
        var machine: String
        var cert: Cert
        var signature: SExpr
        var body: SExpr
    }

    /// The most delegations one request may carry.
    static let maxDelegations = 256

    func delegate(_ request: SignedRequest) async throws(RegistrarError) -> SExpr {
        let name = try request.required("vpxi", "the vpxi")
        let elements = request.elements("delegation")
        guard !elements.isEmpty else {
            throw RegistrarError(.malformed, "the `delegate` request needs at least one `(delegation (machine M) (sequence CERT SIGNATURE))`",
                                 help: "sign each cert of `add-user`'s `(to-sign ...)` with `spki sign` and send it with its machine")
        }
        guard elements.count <= Self.maxDelegations else {
            throw RegistrarError(.malformed, "the request carries \(elements.count) delegations, more than \(Self.maxDelegations)", help: "send them in several requests")
        }
        var parsed: [DelegationUpload] = []
        for element in elements { parsed.append(try Self.parseUpload(element)) }
        let uploads = parsed
        let now = self.now
        defer { etags.forget(vpxi: name) }
        return try await storage {
            try await database.transaction { tx -> SExpr in
                let requester = try await self.requester(request, in: tx)
                let lock = tx.dialect == .postgres ? " FOR UPDATE" : ""
                let rows = try await tx.query("SELECT owner, status, registrar, policy, epoch FROM vpxis WHERE name = $1" + lock, [.text(name)])
                guard let row = rows.first, try row.text("status") == "active" else {
                    throw RegistrarError(.notFound, "no active vpxi `\(name)`", help: "check the name and its state: `GET /v1/vpxis/\(name)`")
                }
                guard try row.text("owner") == requester.name else {
                    throw RegistrarError(.forbidden, "only the owner of vpxi `\(name)` may give it delegations, and `\(requester.name)` is not",
                                         help: "the owner (`\(row["owner"].text ?? "?")`) signs the request and the certs")
                }
                guard try row.text("registrar") == self.configuration.name else {
                    throw RegistrarError(.forbidden, "vpxi `\(name)` is built by registrar `\(row["registrar"].text ?? "?")`", help: "send the request to it")
                }
                let slots = try await self.assignedSlots(vpxi: name, in: tx)
                let compiled = try self.compiler.compile(policy: try row.text("policy")) { (host, machine) throws(RegistrarError) in
                    guard let slot = slots[machine], slot.host == host else { throw RegistrarError(.internal, "machine `\(machine)` moved to `\(host)`") }
                    return slot
                }
                guard let owner = compiled.model.users.firstIndex(where: { $0.name == requester.name }) else {
                    throw RegistrarError(.internal, "the owner `\(requester.name)` is not in the stored policy of `\(name)`")
                }
                // Every delegation is checked before any is written: one refused, none kept.
                var accepted: [(delegation: Delegation, user: String)] = []
                for upload in uploads {
                    accepted.append(try Self.check(upload, compiled: compiled, owner: owner, signer: request.signer, now: now))
                }
                // The vpxi's row is locked (PostgreSQL) or the database is (SQLite): the
                // sequence numbers are this transaction's to take.
                let last = try await tx.query("SELECT MAX(seq) AS seq FROM delegations WHERE vpxi = $1", [.text(name)])
                var seq = last.first?["seq"].int ?? 0
                for (delegation, user) in accepted {
                    seq += 1
                    try await tx.query("""
                        INSERT INTO delegations (vpxi, hash, seq, machine, issuer, subject, body, not_before, not_after, requester, accepted_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (vpxi, hash) DO NOTHING
                        """, [.text(name), .text(delegation.hash), .int(seq), .text(delegation.machine), .text(requester.name), .text(user),
                              .text(delegation.body.advanced(width: 0)), .int(delegation.notBefore), .int(delegation.notAfter),
                              .text(requester.name), .int(now)])
                }
                // The epoch held (the one in force, or the next one when it was issued in
                // advance) is issued again with the delegations.
                let schedule = compiled.model.vpxis[compiled.vpxi].schedule
                let index = try row.int("epoch")
                guard index >= 0, index < schedule.count else { throw RegistrarError(.internal, "vpxi `\(name)` is at epoch \(index), outside its schedule") }
                let issue = try EpochIssue.issue(compiled, epoch: schedule.epoch(Int(index)), at: now, bundleSource: self.bundleSource,
                                                 recorded: try await self.signedCerts(vpxi: name, epoch: index, in: tx),
                                                 delegations: try await self.delegations(vpxi: name, in: tx))
                try await self.store(issue, requester: requester.name, in: tx, now: now)
                return try await self.delegationAnswer(vpxi: name, accepted: accepted, in: tx)
            }
        }
    }

    /// `(delegation (machine M) (sequence CERT SIGNATURE))`.
    static func parseUpload(_ element: SExpr) throws(RegistrarError) -> DelegationUpload {
        let shape = "each delegation is `(delegation (machine M) (sequence (cert ...) (signature ...)))`"
        guard let machine = element.first("machine")?.tail.first?.text, !machine.isEmpty else {
            throw RegistrarError(.malformed, "a delegation names no `(machine M)`", help: shape)
        }
        guard let sequence = element.first("sequence") else {
            throw RegistrarError(.malformed, "the delegation for `\(machine)` has no `(sequence CERT SIGNATURE)`", help: shape)
        }
        let parts = Array(sequence.tail)
        guard parts.count == 2, parts[0].head == "cert", parts[1].head == "signature" else {
            throw RegistrarError(.malformed, "the delegation for `\(machine)` must be `(sequence CERT SIGNATURE)`: one cert and its signature", help: shape)
        }
        var warnings: [SPKIWarning] = []
        let cert: Cert
        do {
            cert = try Cert(parsing: parts[0], warnings: &warnings)
        } catch {
            throw RegistrarError(.malformed, "the cert of the delegation for `\(machine)` is malformed: \(error.message)", help: error.help)
        }
        guard !cert.isNameCert, cert.tag != nil else {
            throw RegistrarError(.malformed, "the delegation for `\(machine)` is a name cert; an authorization cert is expected", help: shape)
        }
        return DelegationUpload(machine: machine, cert: cert, signature: parts[1], body: sequence)
    }

    /// Checks one delegation against what the registrar asked the owner to sign: issued
    /// and signed by the owner (`signer`, who signed the request), to a user the owner
    /// added to the machine, within that user's grant there (tag and window), without
    /// propagate unless the user delegates in turn, not expired. Returns it with the
    /// user's name.
    static func check(_ upload: DelegationUpload, compiled: VPXICompiler.Compiled, owner: Int, signer: RSAKeyFile,
                      now: Int64) throws(RegistrarError) -> (delegation: Delegation, user: String) {
        let model = compiled.model
        let vpxi = model.vpxis[compiled.vpxi]
        let machine = upload.machine
        let cert = upload.cert
        guard let m = vpxi.machines.firstIndex(where: { $0.name == machine }) else {
            throw RegistrarError(.notFound, "vpxi `\(vpxi.name)` has no machine `\(machine)`",
                                 help: "its machines are \(vpxi.machines.prefix(8).map { "`\($0.name)`" }.joined(separator: ", "))")
        }
        let ownerName = model.users[owner].name
        guard cert.issuer.principal.id == model.users[owner].key.principal.id else {
            throw RegistrarError(.badDelegation, "the delegation for `\(machine)` is not issued by the owner `\(ownerName)`: its issuer is another key",
                                 help: "the owner issues and signs `<\(ownerName), USER, A, V>` (the cert of `(to-sign ...)`)")
        }
        do {
            let signature = try SPKISignature(parsing: upload.signature)
            try signature.verify(canonical: cert.signedBytes, key: signer)
        } catch {
            throw RegistrarError(.badSignature, "the signature of the delegation for `\(machine)` is not the owner's over this cert: \(error.message)",
                                 help: "sign exactly the cert sent, with the owner's key: `spki sign --key \(ownerName).key cert.sexp`")
        }
        guard let subject = cert.subject.principal, subject.isKey else {
            throw RegistrarError(.badDelegation, "the subject of the delegation for `\(machine)` is not a public key",
                                 help: "the subject is the secondary user's registered public key, as in the cert of `(to-sign ...)`")
        }
        guard let user = model.users.firstIndex(where: { $0.key.principal.id == subject.id }) else {
            throw RegistrarError(.notFound, "the subject of the delegation for `\(machine)` is not a registered user's key",
                                 help: "the operator registers users (`vpxi-registrar user add`); then the owner adds them (`add-user`)")
        }
        let userName = model.users[user].name
        let grants = DelegableGrant.grants(compiled, machine: m, owner: owner).filter { $0.user == user }
        guard !grants.isEmpty else {
            throw RegistrarError(.badDelegation, "`\(userName)` was not added to `\(machine)` by `\(ownerName)`: no grant for them to delegate",
                                 help: "add the user first (`POST /v1/vpxis/\(vpxi.name)/users`), then sign the cert it returns")
        }
        if cert.propagate, !grants.contains(where: \.propagate) {
            throw RegistrarError(.badDelegation, "the delegation for `\(machine)` to `\(userName)` carries `(propagate)`; the registrar asked for none",
                                 help: "sign it without propagate (no `--propagate` to `spki cert`): `\(userName)` may not delegate further")
        }
        let tag = cert.tag ?? .all
        let within = grants.filter { $0.tag.includes(tag) }
        guard !within.isEmpty else {
            throw RegistrarError(.badDelegation, "the tag of the delegation for `\(machine)` reaches beyond what `\(userName)` was granted there",
                                 help: "sign the cert of `(to-sign ...)`, whose tag is \(grants[0].tag.sexp.advanced(width: 0).prefix(400))")
        }
        let validity = cert.validity
        guard let notBefore = validity.notBefore, let notAfter = validity.notAfter, validity.onlineTests.isEmpty,
              within.contains(where: { $0.window.validity.includes(validity) }) else {
            let windows = within.map(\.window.description).joined(separator: ", ")
            throw RegistrarError(.badDelegation, "the validity of the delegation for `\(machine)` is not inside the window of `\(userName)`'s grant (\(windows))",
                                 help: "give both not-before and not-after, inside that window (the cert of `(to-sign ...)` covers all of it)")
        }
        guard notAfter.secondsSinceEpoch > now, notBefore <= notAfter else {
            throw RegistrarError(.badDelegation, "the delegation for `\(machine)` expired at \(notAfter.rfc3339)",
                                 help: "sign a cert valid now (the cert of `(to-sign ...)` covers the grant's whole window)")
        }
        return (Delegation(machine: machine, cert: cert, body: upload.body), userName)
    }

    /// The delegations accepted for a vpxi, oldest first (a vpxi's name is never taken
    /// again, even once released: they are its own).
    func delegations(vpxi: String, in tx: any DBTransaction) async throws -> [Delegation] {
        let rows = try await tx.query("SELECT machine, body FROM delegations WHERE vpxi = $1 ORDER BY seq", [.text(vpxi)])
        var result: [Delegation] = []
        for row in rows { result.append(try Delegation(machine: try row.text("machine"), stored: try SExpr.parse(try row.text("body")))) }
        return result
    }

    /// How many delegations a vpxi has (they are never deleted: a renewal issued from a
    /// read of them is written only if none came since).
    func delegationCount(vpxi: String, in tx: any DBTransaction) async throws -> Int {
        Int(try await tx.query("SELECT COUNT(*) AS n FROM delegations WHERE vpxi = $1", [.text(vpxi)]).first?["n"].int ?? 0)
    }

    /// The certs of a vpxi's epoch signed by others and on record (another registrar's
    /// `<R2, R1>`), `(sequence CERT SIGNATURE)` by hash: an epoch issued again keeps them.
    func signedCerts(vpxi: String, epoch: Int64, in tx: any DBTransaction) async throws -> [String: SExpr] {
        var recorded: [String: SExpr] = [:]
        for row in try await tx.query("SELECT hash, body, data FROM certs WHERE vpxi = $1 AND epoch = $2 AND signed = 1 AND flow = 'registrar-registrar'",
                                      [.text(vpxi), .int(epoch)]) {
            recorded[try row.text("hash")] = try Self.recordedCertValue(row)
        }
        return recorded
    }

    /// `(delegated (vpxi V) (accepted (delegation (machine M) (user U) (hash H) (not-after T))...) (chains ...)...)`:
    /// what was accepted, and the chains of each user it was for.
    func delegationAnswer(vpxi: String, accepted: [(delegation: Delegation, user: String)], in tx: any DBTransaction) async throws -> SExpr {
        var items: [SExpr] = ["delegated", ["vpxi", .string(vpxi)]]
        items.append(.list(["accepted"] + accepted.map { delegation, user in
            ["delegation", ["machine", .string(delegation.machine)], ["user", .string(user)], ["hash", .string(delegation.hash)],
             ["not-after", .string(SPKIDate(secondsSinceEpoch: delegation.notAfter).rfc3339)]]
        }))
        var users: [String] = []
        for (_, user) in accepted where !users.contains(user) { users.append(user) }
        for user in users {
            if let document = try await chainDocument(vpxi: vpxi, user: user, in: tx) { items.append(document) }
        }
        return .list(items)
    }
}
