import Hashing
import PolicyCompiler
import RSA
import Synchronization

/// What renewals keep from one epoch to the next, in memory: nothing in it is a source of
/// truth, every entry is found by a key computed from what the database holds now, so a
/// change (add-user rewrites the policy, a release frees the slots, a re-enrollment changes
/// a key) simply misses and is compiled again.
///
/// - the compiled vpxi (analysis, placement, IR), by vpxi name, valid while what it was
///   compiled from is still what is stored: the stored policy and every assigned slot as
///   stored (machine, host, index, key, resource cert, host key), kept with it and compared
///   as they are (`StoredState`: exact, and no hash of the 10 KB or so each epoch);
/// - the parsed slots (the enrolled keys as `PublicKeyInfo`), by host and index, valid
///   while the SHA-256 of the slot's stored texts holds;
/// - the registrar's `RSASigner`s with their blinding state (each used by one thread at a
///   time: taken from the pool, given back after use);
/// - the threads renewals run on (`RenewalThreads`: started when needed, ended when idle).
///
/// Bounded: at most `capacity` compiled vpxis (each holds the model of the pool it was
/// compiled against, and what the bundles derive from it); past that, the least recently
/// used one is dropped. The bound is a setting (`Configuration.renewalCacheSize`); 0 keeps
/// nothing, and every renewal compiles again.
public final class RenewalCache: Sendable {
    struct CompiledEntry: Sendable {
        var state: StoredState
        var compiled: VPXICompiler.Compiled
        var used: UInt64
    }

    /// What a vpxi is compiled from, as stored: its policy and its slots' columns, in
    /// machine order. Two states are equal exactly when the stored texts are.
    struct StoredState: Sendable, Equatable {
        static let slotColumns = ["machine", "host", "idx", "key", "resource_cert", "host_key"]
        var policy: String
        /// For each slot (by machine name), `slotColumns`' texts.
        var slots: [[String?]]

        init(policy: String, slots rows: [DBRow]) {
            self.policy = policy
            var slots = rows.map { row in Self.slotColumns.map { row[$0].text } }
            // Machine order, not row order (the reads already sort by machine).
            if !zip(slots, slots.dropFirst()).allSatisfy({ ($0[0] ?? "") <= ($1[0] ?? "") }) {
                slots.sort { ($0[0] ?? "") < ($1[0] ?? "") }
            }
            self.slots = slots
        }

        /// Whether `StoredState(policy: policy, slots: rows)` equals this state, compared in
        /// place (no state built for a hit): the rows in machine order, as the reads give
        /// them, else as built.
        func matches(policy: String, slots rows: [DBRow]) -> Bool {
            guard self.policy == policy, slots.count == rows.count else { return false }
            for (row, stored) in zip(rows, slots) {
                for (column, name) in Self.slotColumns.enumerated() where row[name].text != stored[column] {
                    return self == StoredState(policy: policy, slots: rows)
                }
            }
            return true
        }
    }

    struct SlotEntry: Sendable {
        var fingerprint: [UInt8]
        var slot: VPXICompiler.Slot
    }

    /// A signer with its scratch space and blinding pair. Not thread-safe by itself: the
    /// pool hands each one to one user at a time.
    final class PooledSigner: @unchecked Sendable {
        let signer: RSASigner
        init(_ signer: RSASigner) { self.signer = signer }
    }

    /// The bound when none is given.
    public static let defaultCapacity = 512

    let capacity: Int
    /// The threads renewals run on (`BackgroundWork.run(on:)`).
    let threads = RenewalThreads()
    private let compiledEntries = Mutex<(entries: [String: CompiledEntry], clock: UInt64)>(([:], 0))
    private let slots = Mutex<[String: SlotEntry]>([:])
    private let signers = Mutex<[PooledSigner]>([])
    private let counters = Mutex<(hits: Int, misses: Int)>((0, 0))

    init(capacity: Int = RenewalCache.defaultCapacity) {
        self.capacity = max(0, capacity)
    }

    // MARK: Compiled vpxis

    /// The fingerprint of a vpxi's stored state: its policy and its slots' rows, in
    /// machine order (`Compiled.fingerprint`, made once per compile: the cache itself
    /// compares the stored texts, `StoredState`).
    static func fingerprint(policy: String, slots: [DBRow]) -> [UInt8] {
        var bytes: [UInt8] = []
        func add(_ text: String?) {
            let utf8 = Array((text ?? "\u{0}null").utf8)
            bytes += withUnsafeBytes(of: UInt64(utf8.count).littleEndian, Array.init)
            bytes += utf8
        }
        add(policy)
        for row in slots.sorted(by: { ($0["machine"].text ?? "") < ($1["machine"].text ?? "") }) {
            for column in ["machine", "host", "idx", "key", "resource_cert", "host_key"] { add(row[column].text) }
        }
        return HashAlgorithm.sha256.digest(bytes)
    }

    /// The compiled vpxi `name` when it was compiled from the stored `policy` and slots
    /// `rows` (`StoredState.matches`: no state built when it was).
    func compiled(vpxi name: String, policy: String, slots rows: [DBRow]) -> VPXICompiler.Compiled? {
        compiled(vpxi: name) { $0.matches(policy: policy, slots: rows) }
    }

    private func compiled(vpxi name: String, where fits: (StoredState) -> Bool) -> VPXICompiler.Compiled? {
        let found = compiledEntries.withLock { state -> VPXICompiler.Compiled? in
            guard var entry = state.entries[name], fits(entry.state) else { return nil }
            state.clock += 1
            entry.used = state.clock
            state.entries[name] = entry
            return entry.compiled
        }
        counters.withLock { found == nil ? ($0.misses += 1) : ($0.hits += 1) }
        return found
    }

    func remember(vpxi name: String, stored: StoredState, compiled value: VPXICompiler.Compiled) {
        guard capacity > 0 else { return }
        compiledEntries.withLock { state in
            state.clock += 1
            state.entries[name] = CompiledEntry(state: stored, compiled: value, used: state.clock)
            if state.entries.count > capacity, let oldest = state.entries.min(by: { $0.value.used < $1.value.used })?.key {
                state.entries[oldest] = nil
            }
        }
    }

    /// Drops what is kept for `vpxi` (released, or no longer built here).
    func forget(vpxi name: String) {
        _ = compiledEntries.withLock { $0.entries.removeValue(forKey: name) }
    }

    /// How many compiled vpxis are kept, and the lookups that found one or not.
    var statistics: (entries: Int, hits: Int, misses: Int) {
        let entries = compiledEntries.withLock { $0.entries.count }
        let counts = counters.withLock { $0 }
        return (entries, counts.hits, counts.misses)
    }

    // MARK: Parsed slots

    /// The slot of `row` (host, idx, key, resource_cert, host_key), parsed once per
    /// content of its stored texts.
    func slot(_ row: DBRow, host: String, parse: (DBRow, String) throws -> VPXICompiler.Slot) throws -> VPXICompiler.Slot {
        let name = "\(host)#\(row["idx"].text ?? "")"
        var bytes: [UInt8] = []
        for column in ["key", "resource_cert", "host_key"] {
            let utf8 = Array((row[column].text ?? "\u{0}null").utf8)
            bytes += withUnsafeBytes(of: UInt64(utf8.count).littleEndian, Array.init)
            bytes += utf8
        }
        let fingerprint = HashAlgorithm.sha256.digest(bytes)
        if let entry = slots.withLock({ $0[name] }), entry.fingerprint == fingerprint { return entry.slot }
        let parsed = try parse(row, host)
        slots.withLock { $0[name] = SlotEntry(fingerprint: fingerprint, slot: parsed) }
        return parsed
    }

    // MARK: Signers

    /// Runs `body` with one of the pooled signers of `key` (a new one when all are in use),
    /// then gives it back. A signer whose use threw is dropped, not given back.
    func withSigner<T, E: Error>(_ key: RSAPrivateKey, _ body: (RSASigner) throws(E) -> T) throws -> T {
        let pooled: PooledSigner
        if let taken = signers.withLock({ pool in pool.popLast() }), taken.signer.key === key {
            pooled = taken
        } else {
            pooled = PooledSigner(try RSASigner(key: key))
        }
        let result = try body(pooled.signer)
        signers.withLock { pool in
            if pool.count < 8 { pool.append(pooled) }
        }
        return result
    }
}
