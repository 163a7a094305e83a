import Synchronization

/// The current ETag of each pulled document (a host's bundle of one vpxi, a user's chains
/// in one), kept in memory so that an agent's "has my bundle changed?" reads nothing from
/// the database.
///
/// An entry is forgotten when its vpxi changes: this registrar forgets what it changes
/// itself (`forget(vpxi:)` after the commit), and on PostgreSQL a trigger notifies every
/// registrar of each change to `bundles` and `chains` (`LISTEN registrar_pulls`, see
/// `PostgresStore+Changes`). How long an entry is trusted depends on that:
/// - `following` (every change is seen): `followedLifetime` (10 s), a backstop only;
/// - `expiring` (not following: a lost connection, or notifications unavailable):
///   `lifetime` (1 s), so a change made elsewhere is seen at most about a second later.
/// SQLite is one registrar's own file, so it follows every change by itself.
///
/// When an entry expires, the first pull refreshes it from the database while the
/// others keep answering from it (for at most `lifetime` more), so one pull per second
/// and per document at most waits for the database. A read that began before a change
/// was forgotten is not remembered (`Ticket`): it may hold the old ETag.
final class ETagCache: Sendable {
    enum Mode: Sendable {
        case expiring
        case following
    }

    struct Entry {
        var etag: String
        /// When the read that produced it began.
        var read: ContinuousClock.Instant
        /// When a pull began refreshing it, if one is.
        var refreshing: ContinuousClock.Instant?
    }

    /// What a pull should do: answer from `etag`, or read the database (then `remember`
    /// with the ticket).
    enum Lookup {
        case hit(String)
        case read(Ticket)
    }

    struct Ticket {
        let generation: UInt64
        let started: ContinuousClock.Instant
    }

    struct State {
        /// By vpxi, then by document.
        var entries: [String: [String: Entry]] = [:]
        var count = 0
        var generation: UInt64 = 0
        var mode: Mode
    }

    let lifetime: Duration
    let followedLifetime: Duration
    static let capacity = 100_000
    private let state: Mutex<State>

    init(mode: Mode = .expiring, lifetime: Duration = .seconds(1), followedLifetime: Duration = .seconds(10)) {
        self.lifetime = lifetime
        self.followedLifetime = followedLifetime
        state = Mutex(State(mode: mode))
    }

    var mode: Mode { state.withLock { $0.mode } }

    /// Looks document `key` of `vpxi` up at `now`.
    func lookup(vpxi: String, _ key: String, now: ContinuousClock.Instant = .now) -> Lookup {
        state.withLock { state in
            let ticket = Ticket(generation: state.generation, started: now)
            guard var entry = state.entries[vpxi]?[key] else { return .read(ticket) }
            let trusted = state.mode == .following ? followedLifetime : lifetime
            if now < entry.read + trusted { return .hit(entry.etag) }
            // Expired: one pull refreshes it, the others answer from it meanwhile, for at
            // most `lifetime` more (after which every pull reads).
            if now >= entry.read + trusted + lifetime { return .read(ticket) }
            if let refreshing = entry.refreshing, now < refreshing + lifetime { return .hit(entry.etag) }
            entry.refreshing = now
            state.entries[vpxi]![key] = entry
            return .read(ticket)
        }
    }

    /// The ETag of document `key` of `vpxi`, if trusted now (without starting a refresh).
    func etag(vpxi: String, _ key: String, now: ContinuousClock.Instant = .now) -> String? {
        state.withLock { state in
            guard let entry = state.entries[vpxi]?[key] else { return nil }
            let trusted = state.mode == .following ? followedLifetime : lifetime
            return now < entry.read + trusted ? entry.etag : nil
        }
    }

    /// A ticket for a read beginning now.
    func ticket(now: ContinuousClock.Instant = .now) -> Ticket {
        state.withLock { Ticket(generation: $0.generation, started: now) }
    }

    /// Remembers what a read begun with `ticket` found, unless a change was forgotten
    /// since it began.
    func remember(vpxi: String, _ key: String, etag: String, ticket: Ticket) {
        state.withLock { state in
            guard state.generation == ticket.generation else { return }
            let entry = Entry(etag: etag, read: ticket.started, refreshing: nil)
            if state.entries[vpxi, default: [:]].updateValue(entry, forKey: key) == nil { state.count += 1 }
            if state.count > Self.capacity {
                state.entries = [vpxi: [key: entry]]
                state.count = 1
            }
        }
    }

    /// Forgets every entry of a vpxi (it changed).
    func forget(vpxi: String) {
        state.withLock { state in
            state.generation &+= 1
            state.count -= state.entries.removeValue(forKey: vpxi)?.count ?? 0
        }
    }

    /// Forgets everything and switches to `mode` (changes may have been missed).
    func reset(_ mode: Mode) {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
            state.count = 0
            state.mode = mode
        }
    }
}
