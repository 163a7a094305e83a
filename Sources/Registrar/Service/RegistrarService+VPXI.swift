import Hashing
import PolicyCompiler
import SExpr
import SPKI

/// VPXI requests: create (placement, certificates, bundles in one transaction), add a
/// secondary user, release.
extension RegistrarService {
    /// Reads the pool as it stands in `tx` (free capacity and free slots by host).
    func snapshot(in tx: any DBTransaction, now: Int64) async throws -> (PoolSnapshot, [String: [VPXICompiler.Slot]]) {
        var snapshot = PoolSnapshot()
        for row in try await tx.query("SELECT name, key FROM registrars ORDER BY name", []) {
            snapshot.registrars.append(.init(name: try row.text("name"), key: try row.text("key")))
        }
        for row in try await tx.query("SELECT name, key, communities, clearance FROM users ORDER BY name", []) {
            snapshot.users.append(.init(name: try row.text("name"), key: try row.text("key"),
                                        communities: (row["communities"].text ?? "").split(separator: " ").map(String.init),
                                        clearance: row["clearance"].text))
        }
        var used: [String: (cpus: Int64, memory: Int64, disk: Int64)] = [:]
        for row in try await tx.query("SELECT host, SUM(cpus) AS cpus, SUM(memory) AS memory, SUM(disk) AS disk FROM slots WHERE vpxi IS NOT NULL GROUP BY host", []) {
            used[try row.text("host")] = (row["cpus"].int ?? 0, row["memory"].int ?? 0, row["disk"].int ?? 0)
        }
        var free: [String: [VPXICompiler.Slot]] = [:]
        for row in try await tx.query("SELECT host, idx, key, resource_cert, (SELECT h.key FROM hosts h WHERE h.name = slots.host) AS host_key FROM slots WHERE vpxi IS NULL AND (not_after IS NULL OR not_after > $1) ORDER BY host, idx", [.int(now)]) {
            let host = try row.text("host")
            free[host, default: []].append(try Self.slot(row, host: host))
        }
        for row in try await tx.query("SELECT name, registrar, cpus, memory, disk, hypervisor, site, trusted_by, locators FROM hosts ORDER BY name", []) {
            let name = try row.text("name")
            let use = used[name] ?? (0, 0, 0)
            snapshot.hosts.append(.init(
                name: name, registrar: try row.text("registrar"), freeCPUs: try row.int("cpus") - use.cpus,
                freeMemory: try row.int("memory") - use.memory, freeDisk: try row.int("disk") - use.disk, freeSlots: free[name]?.count ?? 0,
                hypervisor: row["hypervisor"].text, site: row["site"].text,
                trustedBy: (row["trusted_by"].text ?? "").split(separator: " ").map(String.init),
                locators: (row["locators"].text ?? "").split(separator: " ").map(String.init)))
        }
        return (snapshot, free)
    }

    static func slot(_ row: DBRow, host: String) throws -> VPXICompiler.Slot {
        let key = try SExpr.parse(try row.text("key"))
        let cert = try SExpr.parse(try row.text("resource_cert"))
        return VPXICompiler.Slot(host: host, index: try row.int("idx"), key: try VPXICompiler.keyInfo(key, origin: "slot \(host)#\(try row.int("idx"))"),
                                 resourceCert: cert, hostKey: try row["host_key"].text.map { try SExpr.parse($0) })
    }

    func createVPXI(_ request: SignedRequest) async throws(RegistrarError) -> SExpr {
        let fragment = try request.required("policy", "the vpxi, as `.vp` text")
        let now = self.now
        let started = ContinuousClock.now
        let answer = try await storage {
            try await database.transaction { tx -> SExpr in
                let requester = try await self.requester(request, in: tx)
                if tx.dialect == .postgres {
                    // Row locks on the pool: allocations from every registrar go one at a time.
                    try await tx.query("SELECT name FROM hosts ORDER BY name FOR UPDATE", [])
                }
                let (snapshot, free) = try await self.snapshot(in: tx, now: now)
                let policy = snapshot.policyText + "\n" + fragment + "\n"
                var remaining = free
                let compiled = try self.compiler.compile(policy: policy) { (host, machine) throws(RegistrarError) in
                    guard var slots = remaining[host], !slots.isEmpty else {
                        throw RegistrarError(.poolExhausted, "no free VM slot is left on host `\(host)` for machine `\(machine)`",
                                             help: "ask for fewer machines, or wait for resources to be released")
                    }
                    let slot = slots.removeFirst()
                    remaining[host] = slots
                    return slot
                }
                let vpxi = compiled.model.vpxis[compiled.vpxi]
                try Self.checkClearances(compiled)
                guard compiled.model.users[vpxi.owner].name == requester.name else {
                    throw RegistrarError(.forbidden, "the request is signed by `\(requester.name)`, but vpxi `\(vpxi.name)` names owner `\(compiled.model.users[vpxi.owner].name)`",
                                         help: "the owner signs the request for their vpxi")
                }
                let existing = try await tx.query("SELECT name FROM vpxis WHERE name = $1", [.text(vpxi.name)])
                guard existing.isEmpty else {
                    throw RegistrarError(.conflict, "vpxi `\(vpxi.name)` already exists", help: "choose another name, or release it first")
                }
                guard vpxi.window.end > now, let epoch = vpxi.schedule.epoch(at: now) else {
                    throw RegistrarError(.policyError, "the window of vpxi `\(vpxi.name)` has ended", help: "request a window that is not over")
                }
                let issue = try EpochIssue.issue(compiled, epoch: epoch, at: now, bundleSource: self.bundleSource)
                for (m, slot) in compiled.slots.enumerated() {
                    let machine = vpxi.machines[m]
                    let taken = try await tx.query("""
                        UPDATE slots SET vpxi = $3, machine = $4, cpus = $5, memory = $6, disk = $7
                        WHERE host = $1 AND idx = $2 AND vpxi IS NULL RETURNING idx
                        """, [.text(slot.host), .int(slot.index), .text(vpxi.name), .text(machine.name), .int(Int64(machine.cpus)),
                              .int(machine.memoryBytes), .int(machine.diskBytes)])
                    guard !taken.isEmpty else { throw RegistrarError(.internal, "slot \(slot.host)#\(slot.index) was taken during the allocation") }
                }
                try await tx.query("""
                    INSERT INTO vpxis (name, owner, registrar, status, policy, epoch, window_end, created_at)
                    VALUES ($1, $2, $3, 'active', $4, $5, $6, $7)
                    """, [.text(vpxi.name), .text(requester.name), .text(self.configuration.name), .text(policy), .int(Int64(epoch.index)),
                          .int(vpxi.window.end), .int(now)])
                try await self.store(issue, requester: requester.name, in: tx, now: now)
                try await self.shareSecret(compiled, in: tx)
                return try await self.answer(vpxi: vpxi.name, user: requester.name, in: tx)
            }
        }
        metrics.issued(duration: ContinuousClock.now - started)
        if let name = answer.first("name")?.tail.first?.text { etags.forget(vpxi: name) }
        return answer
    }

    /// Records (or replaces) a host's bundle of a vpxi.
    func storeBundle(host: String, vpxi: String, epoch: Int64, bytes: [UInt8], in tx: any DBTransaction, now: Int64) async throws {
        try await storeBundles([BundleWrite(host: host, vpxi: vpxi, epoch: epoch, bytes: bytes, etag: BundleETag.of(bytes))], in: tx, now: now)
    }

    /// The answer to the owner: the vpxi, its epoch, where each machine runs, and the
    /// owner's chains.
    func answer(vpxi: String, user: String, in tx: any DBTransaction) async throws -> SExpr {
        let rows = try await tx.query("SELECT epoch FROM chains WHERE vpxi = $1 AND principal = $2", [.text(vpxi), .text(user)])
        let placement = try await tx.query("SELECT machine, host, idx FROM slots WHERE vpxi = $1 ORDER BY machine", [.text(vpxi)])
        var items: [SExpr] = ["vpxi", ["name", .string(vpxi)], ["registrar", .string(configuration.name)]]
        if let row = rows.first { items.append(["epoch", .string(String(try row.int("epoch")))]) }
        items.append(.list(["placement"] + placement.map { ["machine", .string($0["machine"].text ?? ""), ["host", .string($0["host"].text ?? "")],
                                                             ["slot", .string($0["idx"].text ?? "")]] }))
        if let document = try await chainDocument(vpxi: vpxi, user: user, in: tx) { items.append(document) }
        return .list(items)
    }

    /// Releases a vpxi: its slots return to the pool, its bundles are withdrawn, no
    /// renewal is issued any more. Its certificates stay on record.
    func release(_ request: SignedRequest) async throws(RegistrarError) -> SExpr {
        let name = try request.required("vpxi", "the name of the vpxi to release")
        let now = self.now
        let freed = try await storage {
            try await database.transaction { tx -> Int in
                let requester = try await self.requester(request, in: tx)
                let rows = try await tx.query("SELECT owner, status FROM vpxis WHERE name = $1", [.text(name)])
                guard let row = rows.first else { throw RegistrarError(.notFound, "no vpxi `\(name)`") }
                guard try row.text("owner") == requester.name || requester.operator else {
                    throw RegistrarError(.forbidden, "only the owner of vpxi `\(name)` or an operator may release it")
                }
                guard try row.text("status") == "active" else { throw RegistrarError(.conflict, "vpxi `\(name)` is already released") }
                if tx.dialect == .postgres { try await tx.query("SELECT name FROM hosts ORDER BY name FOR UPDATE", []) }
                let freed = try await tx.query("UPDATE slots SET vpxi = NULL, machine = NULL, cpus = 0, memory = 0, disk = 0 WHERE vpxi = $1 RETURNING idx", [.text(name)])
                try await tx.query("UPDATE vpxis SET status = 'released', released_at = $2 WHERE name = $1", [.text(name), .int(now)])
                try await tx.query("DELETE FROM bundles WHERE vpxi = $1", [.text(name)])
                try await tx.query("DELETE FROM bundle_bases WHERE vpxi = $1", [.text(name)])
                try await tx.query("DELETE FROM vpxi_secrets WHERE vpxi = $1", [.text(name)])
                try await tx.query("DELETE FROM foreign_builds WHERE vpxi = $1", [.text(name)])
                return freed.count
            }
        }
        etags.forget(vpxi: name)
        bundleBases.forget(vpxi: name)
        metrics.released()
        return ["released", ["vpxi", .string(name)], ["slots", .string(String(freed))]]
    }
}
