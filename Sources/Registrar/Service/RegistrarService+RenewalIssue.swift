import PolicyCompiler
import Synchronization

/// Renewing several vpxis at once, in batches (`renewBatch`): each renewal does its
/// expensive part — compiling the stored policy, planning, signing, building the bundles —
/// outside any database transaction, so that renewals of different vpxis sign on every core
/// at once (and, on SQLite, the write lock is held only while the results are written);
/// each batch is then recorded in one transaction, after re-checking, under the vpxis' row
/// locks, that nothing changed since the read (status, builder, policy, epoch); when
/// something did, that vpxi's issue is dropped and the next pass issues it again from the
/// new state.
extension RegistrarService {
    /// Renews `names`, `renewalBatchSize` vpxis per batch and `renewalWidth` of them at
    /// once (by default as many as there are cores); returns how many epochs were issued. A
    /// failure is logged and counted, and the others go on. Each batch is recorded while
    /// the next one is read and issued, so that the signing goes on during the commits.
    func renewAll(_ names: [String], now: Int64) async -> Int {
        let size = max(Self.renewalBatchSize, configuration.renewalWidth)
        var issued = 0
        var recording: Task<Int, Never>?
        var start = 0
        while start < names.count, !Task.isCancelled {
            let names = Array(names[start..<min(names.count, start + size)])
            start += names.count
            let batch: RenewalBatch
            do {
                batch = try await issueBatch(names, now: now)
            } catch {
                logger.error("renewal of \(names.joined(separator: ", ")) failed: \(error)")
                for _ in names { metrics.renewalFailed() }
                continue
            }
            // Batches are recorded one at a time, in order.
            if let recording { issued += await recording.value }
            recording = Task { await self.recordLogged(batch, now: now) }
        }
        if let recording { issued += await recording.value }
        return issued
    }

    /// `record`, with the failures logged and counted.
    func recordLogged(_ batch: RenewalBatch, now: Int64) async -> Int {
        let outcome = await record(batch, now: now)
        for (name, error) in outcome.failures {
            logger.error("renewal of \(name) failed: \(error)")
            metrics.renewalFailed()
        }
        return outcome.renewed
    }
}

/// CPU-heavy background work (a renewal's compiling, signing and bundle building) on a
/// thread outside Swift's cooperative pool, at a somewhat lower priority (nice +5 on Linux,
/// where the nice value is per thread): it does not hold one of the few threads of the
/// cooperative pool, which answer the pulls, and yields the CPU to them first. On two
/// cores a renewal pass then slows the pulls down instead of stopping them. Not lower than
/// +5: on a machine loaded by other work, +10 stretched a renewal pass twentyfold
/// (Docs/performance.md), and renewals have minutes, not hours, of advance. The threads
/// are kept between renewals (`RenewalThreads`, one set per service, in its
/// `RenewalCache`), not made for each one.
enum BackgroundWork {
    static let niceness: Int32 = 5

    /// Runs `body` on one of `threads`, at most `width` of them alive.
    static func run<T: Sendable>(on threads: RenewalThreads, width: Int = .max,
                                 _ body: @escaping @Sendable () throws(RegistrarError) -> T) async throws(RegistrarError) -> T {
        let result: Result<T, RegistrarError> = await withCheckedContinuation { continuation in
            threads.submit(limit: width) {
                continuation.resume(returning: Result { () throws(RegistrarError) -> T in try body() })
            }
        }
        return try result.get()
    }

    /// `body` applied to each of `items` on `threads`, at most `width` at once, the results
    /// in the order of `items`: a batch handed over as a whole rather than one call per
    /// item. At most `width` workers are submitted, each taking the next item not yet
    /// taken until none is left, and the caller resumes once, when the last one ends; so
    /// a batch costs the renewal threads `width` wake-ups and the caller one, where a call
    /// per item cost two thread switches per item (the item handed to a renewal thread,
    /// its result back to the cooperative pool, which hands over the next). When the
    /// calling task is cancelled, the items not yet taken are not run: their result is nil.
    static func map<Item: Sendable, T: Sendable>(_ items: [Item], on threads: RenewalThreads, width: Int = .max,
                                                 _ body: @escaping @Sendable (Item) throws(RegistrarError) -> T) async -> [Result<T, RegistrarError>?] {
        guard !items.isEmpty else { return [] }
        let batch = Batch<T>(count: items.count)
        let workers = min(max(1, width), items.count)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[Result<T, RegistrarError>?], Never>) in
                for _ in 0..<workers {
                    threads.submit(limit: width) {
                        while let index = batch.take() {
                            batch.put(index, Result { () throws(RegistrarError) -> T in try body(items[index]) })
                        }
                        if let results = batch.workerEnded(of: workers) { continuation.resume(returning: results) }
                    }
                }
            }
        } onCancel: {
            batch.cancel()
        }
    }

    /// The shared state of one `map`: the next item to take, the results, the workers
    /// that ended.
    final class Batch<T: Sendable>: Sendable {
        private struct State {
            var next = 0
            var cancelled = false
            var ended = 0
            var results: [Result<T, RegistrarError>?]
        }

        private let count: Int
        private let state: Mutex<State>

        init(count: Int) {
            self.count = count
            state = Mutex(State(results: Array(repeating: nil, count: count)))
        }

        /// The index of the next item to run, nil when none is left or the batch was cancelled.
        func take() -> Int? {
            state.withLock { state -> Int? in
                guard !state.cancelled, state.next < count else { return nil }
                state.next += 1
                return state.next - 1
            }
        }

        func put(_ index: Int, _ result: Result<T, RegistrarError>) {
            state.withLock { $0.results[index] = result }
        }

        func cancel() {
            state.withLock { $0.cancelled = true }
        }

        /// A worker ended: the results when it was the last of `workers`, else nil.
        func workerEnded(of workers: Int) -> [Result<T, RegistrarError>?]? {
            state.withLock { state -> [Result<T, RegistrarError>?]? in
                state.ended += 1
                guard state.ended == workers else { return nil }
                return state.results
            }
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
