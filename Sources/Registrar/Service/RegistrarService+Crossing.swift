import Hashing
import PolicyCompiler
import SExpr

/// Vpxis across registrars (paper 4.2.2). Registrar R1 builds a vpxi with a machine on
/// host H2, enrolled with R2: R1 issues to the user, R2 signs `<R2, R1, A, propagate, V>`
/// (`signPending`), and R2 builds and signs H2's bundle, since H2's agent trusts its own
/// registrar's key and no other. R2 builds it from the shared state: the vpxi's policy and
/// epoch, the certs recorded for it (R1's to the user among them), and the vpxi's ESP
/// secret, which R1 shares wrapped to R2's key so that both ends of a link between H1 and
/// H2 derive the same keys.
extension RegistrarService {
    /// Shares the ESP secret of a vpxi this registrar builds with every other registrar
    /// whose hosts run machines of it: wrapped to its key, in `vpxi_secrets`.
    func shareSecret(_ compiled: VPXICompiler.Compiled, in tx: any DBTransaction) async throws {
        let model = compiled.model
        let hosts = Set(compiled.slots.map(\.host))
        var others: Set<Int> = []
        for host in model.hosts where hosts.contains(host.name) {
            if let registrar = host.registration?.registrar, model.registrars[registrar].name != configuration.name { others.insert(registrar) }
        }
        for index in others.sorted() {
            let registrar = model.registrars[index]
            guard let key = registrar.key.rsa, let wrapped = try bundleSource.wrappedSecret(vpxi: compiled.name, for: key) else { continue }
            try await tx.query("""
                INSERT INTO vpxi_secrets (vpxi, registrar, wrapped) VALUES ($1, $2, $3)
                ON CONFLICT (vpxi, registrar) DO UPDATE SET wrapped = $3
                """, [.text(compiled.name), .text(registrar.name), .text(Base64.encode(wrapped))])
        }
    }

    /// Builds the bundles of this registrar's hosts in the vpxis other registrars build,
    /// when what they derive from changed since the last build. Returns how many vpxis
    /// were built; a vpxi that fails is logged and counted, and the others go on.
    @discardableResult
    public func buildCrossingBundles() async throws(RegistrarError) -> Int {
        let me = configuration.name
        let rows = try await storage {
            try await database.read("""
                SELECT DISTINCT v.name FROM vpxis v JOIN slots s ON s.vpxi = v.name JOIN hosts h ON h.name = s.host
                WHERE v.status = 'active' AND v.registrar <> $1 AND h.registrar = $1 ORDER BY v.name
                """, [.text(me)])
        }
        var built = 0
        for row in rows {
            guard !Task.isCancelled else { break }
            guard let name = row["name"].text else { continue }
            do {
                if try await buildCrossing(vpxi: name) { built += 1 }
            } catch {
                logger.error("bundles of \(name) for this registrar's hosts failed: \(error)")
                metrics.renewalFailed()
            }
        }
        return built
    }

    /// Builds this registrar's hosts' bundles of another registrar's vpxi, in one
    /// transaction with the vpxi's row locked; false when nothing changed.
    func buildCrossing(vpxi name: String) async throws(RegistrarError) -> Bool {
        let me = configuration.name
        let now = self.now
        let built = try await storage {
            try await database.transaction { tx -> Bool in
                let lock = tx.dialect == .postgres ? " FOR UPDATE" : ""
                let rows = try await tx.query("SELECT status, registrar, policy, epoch FROM vpxis WHERE name = $1" + lock, [.text(name)])
                guard let row = rows.first, try row.text("status") == "active" else { return false }
                let builder = try row.text("registrar")
                guard builder != me else { return false }
                let policy = try row.text("policy")
                let epochIndex = try row.int("epoch")
                let certs = try await tx.query("SELECT hash, body, data, signed FROM certs WHERE vpxi = $1 AND epoch = $2 ORDER BY hash",
                                               [.text(name), .int(epochIndex)])
                var digestInput = policy + "\n(epoch \(epochIndex))\n"
                var recorded: [String: SExpr] = [:]
                for cert in certs {
                    let hash = try cert.text("hash")
                    let signed = (cert["signed"].int ?? 0) != 0
                    digestInput += "\(hash) \(signed ? 1 : 0)\n"
                    if signed { recorded[hash] = try Self.recordedCertValue(cert) }
                }
                let digest = Hex.encode(HashAlgorithm.sha256.digest(Array(digestInput.utf8)))
                let previous = try await tx.query("SELECT digest FROM foreign_builds WHERE vpxi = $1 AND registrar = $2", [.text(name), .text(me)])
                if previous.first?["digest"].text == digest { return false }
                let secrets = try await tx.query("SELECT wrapped FROM vpxi_secrets WHERE vpxi = $1 AND registrar = $2", [.text(name), .text(me)])
                guard let text = secrets.first?["wrapped"].text, let wrapped = Base64.decode(text) else {
                    throw RegistrarError(.internal, "registrar `\(builder)` shared no ESP secret of vpxi `\(name)` with this registrar",
                                         help: "the registrar that builds the vpxi shares it when it issues; upgrade it to a version that does")
                }
                let source = try self.bundleSource.sharing(vpxi: name, wrapped: wrapped, key: self.configuration.key)
                let slots = try await self.assignedSlots(vpxi: name, in: tx)
                let compiled = try self.compiler.compile(policy: policy, builder: builder) { (host, machine) throws(RegistrarError) in
                    guard let slot = slots[machine], slot.host == host else { throw RegistrarError(.internal, "machine `\(machine)` moved to `\(host)`") }
                    return slot
                }
                let schedule = compiled.model.vpxis[compiled.vpxi].schedule
                guard epochIndex >= 0, epochIndex < schedule.count else {
                    throw RegistrarError(.internal, "vpxi `\(name)` is at epoch \(epochIndex), outside its schedule")
                }
                let issue = try EpochIssue.issue(compiled, epoch: schedule.epoch(Int(epochIndex)), at: now, bundleSource: source, recorded: recorded,
                                                 delegations: try await self.delegations(vpxi: name, in: tx))
                for (host, bytes) in issue.bundles {
                    try await self.storeBundle(host: host, vpxi: name, epoch: epochIndex, bytes: bytes, in: tx, now: now)
                }
                try await tx.query("""
                    INSERT INTO foreign_builds (vpxi, registrar, digest, built_at) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (vpxi, registrar) DO UPDATE SET digest = $3, built_at = $4
                    """, [.text(name), .text(me), .text(digest), .int(now)])
                return true
            }
        }
        if built {
            etags.forget(vpxi: name)
            logger.info("built this registrar's bundles of vpxi \(name)")
        }
        return built
    }
}
