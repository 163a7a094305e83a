import PolicyCompiler

/// Renewing several vpxis at once. Each renewal (`renew(vpxi:now:)`) does its expensive
/// part — compiling the stored policy, planning, signing, building the bundles — outside
/// any database transaction, so that renewals of different vpxis sign on every core at
/// once (and, on SQLite, the write lock is held only while the results are written). Its
/// write re-checks, under the vpxi's row lock, that nothing changed since the read
/// (status, builder, policy, epoch); when something did, the issue is dropped and the next
/// pass issues it again from the new state.
extension RegistrarService {
    /// Renews `names` (each as `renew(vpxi:now:)`), `renewalWidth` at once (by default
    /// as many as there are cores); returns how many epochs were issued. A failure is
    /// logged and counted, and the others go on.
    func renewAll(_ names: [String], now: Int64) async -> Int {
        let width = configuration.renewalWidth
        return await withTaskGroup(of: Bool.self) { group in
            var pending = names[...]
            var issued = 0
            func start(_ group: inout TaskGroup<Bool>) {
                guard !Task.isCancelled, let name = pending.popFirst() else { return }
                group.addTask {
                    do {
                        return try await self.renew(vpxi: name, now: now)
                    } catch {
                        self.logger.error("renewal of \(name) failed: \(error)")
                        self.metrics.renewalFailed()
                        return false
                    }
                }
            }
            for _ in 0..<max(1, width) { start(&group) }
            while let renewed = await group.next() {
                if renewed { issued += 1 }
                start(&group)
            }
            return issued
        }
    }
}

/// Statements run one by one outside a transaction (each sees its own snapshot), for code
/// written against `DBTransaction` that only reads.
struct StatementReads: DBTransaction {
    let database: any RegistrarDatabase
    var dialect: DBDialect { database.dialect }

    func query(_ sql: String, _ binds: [DBValue]) async throws -> [DBRow] {
        try await database.read(sql, binds)
    }
}
