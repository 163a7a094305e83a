import Synchronization

/// The enrolled resource → registrar certs this registrar knows are recorded for every
/// epoch of their vpxi (a `certs` row with `every_epoch = 1`, migration 5), by vpxi and
/// hash, so that a renewal does not send them to the database again each epoch only for
/// the unique index `certs_enrolled` to leave them as they are (`store`).
///
/// Never a guess: a pair is remembered only when a transaction saw its row (`SELECT ...
/// WHERE every_epoch = 1`) and then committed. No statement of the registrar deletes a
/// cert's row or changes its vpxi, hash or `every_epoch` (`signPending` only adds a
/// pending cert's signature; `StoreSideTests` checks the sources), so a pair remembered
/// stays true for as long as the database is the same; one not remembered is looked up in the transaction that
/// records it. Bounded: past `capacity` pairs, everything is forgotten (and looked up
/// again).
final class EnrolledRecords: Sendable {
    struct Key: Hashable, Sendable {
        var vpxi: String
        var hash: String
    }

    let capacity: Int
    private let known = Mutex(Set<Key>())

    /// `capacity`: the most pairs kept (a million: about 100 MB of strings at most).
    init(capacity: Int = 1_000_000) {
        self.capacity = capacity
    }

    func contains(_ key: Key) -> Bool {
        known.withLock { $0.contains(key) }
    }

    /// Remembers `keys`, seen recorded by a transaction that has committed.
    func remember<Keys: Sequence>(_ keys: Keys) where Keys.Element == Key {
        known.withLock { known in
            known.formUnion(keys)
            if known.count > capacity { known.removeAll() }
        }
    }

    var count: Int { known.withLock { $0.count } }
}
