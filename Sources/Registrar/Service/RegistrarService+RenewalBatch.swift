import PolicyCompiler
import SExpr

/// Renewals in batches: a pass reads the state of a batch of vpxis with one statement per
/// table, issues each (compiling, planning, signing, building: `EpochIssue`) outside any
/// transaction, `renewalWidth` at once, then records the whole batch in one transaction
/// (one multi-row statement per table, one commit), instead of a read and a transaction
/// per vpxi. The write re-checks, under the vpxis' row locks, that nothing changed since
/// the read (status, builder, policy, epoch, delegations); a vpxi that changed is left out
/// and issued again by the next pass from the new state. A batch whose transaction fails
/// is written again vpxi by vpxi, so that one bad vpxi does not hold back the others.
extension RegistrarService {
    /// What a renewal reads of a vpxi before issuing.
    struct RenewalRead: Sendable {
        var name: String
        var policy: String
        var epoch: Int64
        /// The assigned slots' rows (`slotRows`' columns, with `vpxi`).
        var slots: [DBRow]
        var delegations: [Delegation]
    }

    /// An issued epoch waiting to be recorded.
    struct RenewalIssued: Sendable {
        var read: RenewalRead
        var compiled: VPXICompiler.Compiled
        var issue: EpochIssue
    }

    /// How a batch went: the vpxis renewed, and those that failed with why.
    struct RenewalBatchOutcome: Sendable {
        var renewed: Int
        var failures: [(name: String, error: RegistrarError)]
    }

    /// Vpxis per batch: enough to spread a commit over many renewals, few enough that a
    /// pass records its first renewals early.
    static var renewalBatchSize: Int { 16 }

    /// A batch read and issued, waiting to be recorded.
    struct RenewalBatch: Sendable {
        var issued: [RenewalIssued]
        var failures: [(name: String, error: RegistrarError)]
        var started: ContinuousClock.Instant
    }

    /// Renews the due epoch of each of `names` (a batch): read, issue, record.
    func renewBatch(_ names: [String], now: Int64) async throws(RegistrarError) -> RenewalBatchOutcome {
        await record(try await issueBatch(names, now: now), now: now)
    }

    /// Reads and issues a batch.
    func issueBatch(_ names: [String], now: Int64) async throws(RegistrarError) -> RenewalBatch {
        let started = ContinuousClock.now
        let reads = try await renewalReads(names)
        for name in names where reads[name] == nil { renewalCache.forget(vpxi: name) }
        let (issued, failures) = await issueRenewals(names.compactMap { reads[$0] }, now: now)
        return RenewalBatch(issued: issued, failures: failures, started: started)
    }

    /// Records an issued batch in one transaction (vpxi by vpxi when that fails).
    func record(_ batch: RenewalBatch, now: Int64) async -> RenewalBatchOutcome {
        let issued = batch.issued
        guard !issued.isEmpty else { return RenewalBatchOutcome(renewed: 0, failures: batch.failures) }
        var renewed: [String] = []
        var all = batch.failures
        do {
            renewed = try await recordRenewals(issued, now: now)
        } catch {
            // One transaction per vpxi, so that only the one at fault fails.
            for item in issued {
                do {
                    renewed += try await recordRenewals([item], now: now)
                } catch {
                    all.append((item.read.name, error))
                }
            }
        }
        for item in issued { etags.forget(vpxi: item.read.name) }
        let duration = ContinuousClock.now - batch.started
        for name in renewed {
            metrics.renewed(duration: duration)
            logger.info("renewed vpxi \(name)")
        }
        return RenewalBatchOutcome(renewed: renewed.count, failures: all)
    }

    /// `$first, $first+1, ...`: `count` placeholders.
    static func placeholders(_ count: Int, from first: Int = 1) -> String {
        (first..<(first + count)).map { "$\($0)" }.joined(separator: ", ")
    }

    /// The state of each of `names` that this registrar builds and that is active, by name:
    /// one statement for the vpxis, one for their slots, one for their delegations.
    func renewalReads(_ names: [String]) async throws(RegistrarError) -> [String: RenewalRead] {
        guard !names.isEmpty else { return [:] }
        let me = configuration.name
        let binds = names.map(DBValue.text)
        let list = Self.placeholders(names.count)
        return try await storage { () -> [String: RenewalRead] in
            var reads: [String: RenewalRead] = [:]
            for row in try await self.database.read("SELECT name, status, registrar, policy, epoch FROM vpxis WHERE name IN (\(list))", binds) {
                guard try row.text("status") == "active", try row.text("registrar") == me else { continue }
                let name = try row.text("name")
                reads[name] = RenewalRead(name: name, policy: try row.text("policy"), epoch: try row.int("epoch"), slots: [], delegations: [])
            }
            guard !reads.isEmpty else { return [:] }
            for row in try await self.database.read("""
                SELECT vpxi, host, idx, key, resource_cert, machine, (SELECT h.key FROM hosts h WHERE h.name = slots.host) AS host_key
                FROM slots WHERE vpxi IN (\(list)) ORDER BY vpxi, machine
                """, binds) {
                reads[try row.text("vpxi")]?.slots.append(row)
            }
            for row in try await self.database.read("SELECT vpxi, machine, body FROM delegations WHERE vpxi IN (\(list)) ORDER BY vpxi, seq", binds) {
                let name = try row.text("vpxi")
                guard reads[name] != nil else { continue }
                reads[name]?.delegations.append(try Delegation(machine: try row.text("machine"), stored: try SExpr.parse(try row.text("body"))))
            }
            return reads
        }
    }

    /// Issues the due epoch of each read, `renewalWidth` at once on the renewal threads
    /// (`BackgroundWork.map`: the batch handed over whole, the caller resumed once), in the
    /// order of `reads`; a vpxi with nothing due is left out, one whose issue failed is
    /// among the failures.
    func issueRenewals(_ reads: [RenewalRead], now: Int64) async -> (issued: [RenewalIssued], failures: [(name: String, error: RegistrarError)]) {
        let results = await BackgroundWork.map(reads, on: renewalCache.threads, width: max(1, configuration.renewalWidth)) {
            (read: RenewalRead) throws(RegistrarError) -> RenewalIssued? in
            try self.issueRenewalNow(read, now: now)
        }
        var issued: [RenewalIssued] = []
        var failures: [(name: String, error: RegistrarError)] = []
        for (index, result) in results.enumerated() {
            switch result {
            case .success(let value): if let value { issued.append(value) }
            case .failure(let error): failures.append((reads[index].name, error))
            case nil: break
            }
        }
        return (issued, failures)
    }

    /// Compiles (or takes the compiled vpxi from the cache while its policy and slots are
    /// unchanged), plans, signs and builds the due epoch of `read`, on the calling thread
    /// (a renewal thread: `issueRenewals`).
    func issueRenewalNow(_ read: RenewalRead, now: Int64) throws(RegistrarError) -> RenewalIssued? {
        let compiled = try compiledForRenewal(vpxi: read.name, policy: read.policy, slotRows: read.slots)
        let vpxi = compiled.model.vpxis[compiled.vpxi]
        guard let epoch = dueEpoch(vpxi.schedule, current: Int(read.epoch), now: now) else { return nil }
        let issue = try EpochIssue.issue(compiled, epoch: epoch, at: now, bundleSource: bundleSource,
                                         delegations: read.delegations, cache: renewalCache)
        return RenewalIssued(read: read, compiled: compiled, issue: issue)
    }

    /// Records `issued` in one transaction, each vpxi only if nothing changed since its
    /// read (checked with its row locked); returns the names recorded.
    func recordRenewals(_ issued: [RenewalIssued], now: Int64) async throws(RegistrarError) -> [String] {
        let me = configuration.name
        let (names, seen) = try await storage {
            try await self.database.transaction { tx -> ([String], Set<EnrolledRecords.Key>) in
                let names = issued.map(\.read.name)
                let binds = names.map(DBValue.text)
                let list = Self.placeholders(names.count)
                // Locked in name order on PostgreSQL, so that two passes cannot deadlock.
                let lock = tx.dialect == .postgres ? " ORDER BY name FOR UPDATE" : ""
                var current: [String: DBRow] = [:]
                for row in try await tx.query("SELECT name, status, registrar, policy, epoch FROM vpxis WHERE name IN (\(list))" + lock, binds) {
                    current[try row.text("name")] = row
                }
                // A statement of its own, after the lock: on PostgreSQL a count inside the
                // locking statement would come from that statement's snapshot, taken before
                // it waited for a delegation's transaction holding the row (run P tried it).
                var delegations: [String: Int64] = [:]
                for row in try await tx.query("SELECT vpxi, COUNT(*) AS n FROM delegations WHERE vpxi IN (\(list)) GROUP BY vpxi", binds) {
                    delegations[try row.text("vpxi")] = row["n"].int ?? 0
                }
                var unchanged: [RenewalIssued] = []
                for item in issued {
                    let read = item.read
                    guard let row = current[read.name], try row.text("status") == "active", try row.text("registrar") == me,
                          try row.text("policy") == read.policy, try row.int("epoch") == read.epoch,
                          delegations[read.name] ?? 0 == Int64(read.delegations.count) else { continue }
                    unchanged.append(item)
                }
                guard !unchanged.isEmpty else { return ([], []) }
                let seen = try await self.store(unchanged.map(\.issue), requester: "renewal", in: tx, now: now)
                for item in unchanged { try await self.shareSecret(item.compiled, in: tx) }
                // One statement per epoch index (a pass usually issues one).
                let byEpoch = Dictionary(grouping: unchanged, by: { Int64($0.issue.epoch.index) })
                for (epoch, items) in byEpoch.sorted(by: { $0.key < $1.key }) {
                    try await tx.query("UPDATE vpxis SET epoch = $1 WHERE name IN (\(Self.placeholders(items.count, from: 2)))",
                                       [.int(epoch)] + items.map { .text($0.read.name) })
                }
                return (unchanged.map(\.read.name), seen)
            }
        }
        // Committed: the enrolled certs seen recorded stay recorded.
        enrolledRecords.remember(seen)
        return names
    }
}
