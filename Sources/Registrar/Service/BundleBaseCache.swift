import Synchronization

/// The base each host's bundle of each vpxi was last stored against (its id in
/// `bundle_bases` and its bytes), kept in memory on the issuing side so that the next
/// epoch's bundle is stored as a delta from it (`RegistrarService+BundleRows`).
///
/// Only a hint: a base is remembered when it is written, before its transaction commits,
/// and the write that uses it checks first that the database holds it (a transaction
/// rolled back, another registrar's release, a restart: the next write stores a new base).
/// Bounded by the bytes it holds: past `capacity`, some entries are dropped (their next
/// bundle is stored as a new base).
final class BundleBaseCache: Sendable {
    struct Base: Sendable {
        var id: Int64
        var bytes: [UInt8]
    }

    struct State {
        /// By vpxi, then by host.
        var bases: [String: [String: Base]] = [:]
        var bytes = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    /// `capacity`: the most bytes of bases kept (64 MiB: about 1,200 bundles of 52 KB).
    init(capacity: Int = 64 << 20) {
        self.capacity = capacity
    }

    func base(host: String, vpxi: String) -> Base? {
        state.withLock { $0.bases[vpxi]?[host] }
    }

    func remember(host: String, vpxi: String, _ base: Base) {
        guard base.bytes.count <= capacity else { return }
        state.withLock { state in
            state.bytes += base.bytes.count - (state.bases[vpxi, default: [:]].updateValue(base, forKey: host)?.bytes.count ?? 0)
            while state.bytes > capacity, let other = state.bases.first(where: { $0.key != vpxi }) ?? state.bases.first {
                state.bases.removeValue(forKey: other.key)
                state.bytes -= other.value.values.reduce(0) { $0 + $1.bytes.count }
            }
        }
    }

    /// Forgets the bases of a vpxi (released).
    func forget(vpxi: String) {
        state.withLock { state in
            state.bytes -= state.bases.removeValue(forKey: vpxi)?.values.reduce(0) { $0 + $1.bytes.count } ?? 0
        }
    }

    var byteCount: Int { state.withLock { $0.bytes } }
}
