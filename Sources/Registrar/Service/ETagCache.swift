import Synchronization

/// The ETags of pulled documents, kept for a short time so that an agent's "has my bundle
/// changed?" costs no database read. This registrar forgets a vpxi's entries when it
/// changes them; a change made by another registrar sharing the database is seen at the
/// latest `lifetime` later (certificates are renewed in hours; a second is nothing).
final class ETagCache: Sendable {
    struct Entry {
        var etag: String
        var vpxi: String
        var expires: ContinuousClock.Instant
    }

    let lifetime: Duration
    private let entries = Mutex<[String: Entry]>([:])

    init(lifetime: Duration = .seconds(1)) {
        self.lifetime = lifetime
    }

    /// The ETag of `key`, if known and fresh.
    func etag(_ key: String) -> String? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[key], entry.expires > now else { return nil }
            return entry.etag
        }
    }

    func remember(_ key: String, etag: String, vpxi: String) {
        let expires = ContinuousClock.now + lifetime
        entries.withLock { entries in
            if entries.count > 100_000 { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(etag: etag, vpxi: vpxi, expires: expires)
        }
    }

    /// Forgets every entry of a vpxi (after this registrar changed it).
    func forget(vpxi: String) {
        entries.withLock { entries in entries = entries.filter { $0.value.vpxi != vpxi } }
    }
}
