import Synchronization

/// The chain documents pulled lately, rendered (`RegistrarService+ChainDocuments`), by
/// ETag: a document's ETag is the digest of its canonical bytes, so an entry never goes
/// stale, it only stops being asked for. Bounded by the bytes it holds; the oldest entries
/// go first.
final class ChainDocumentCache: Sendable {
    struct State {
        var documents: [String: [UInt8]] = [:]
        /// ETags in the order they were added (the oldest first), from `head` on.
        var order: [String] = []
        var head = 0
        var bytes = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    /// `capacity`: the most bytes of documents kept (16 MiB: about a thousand documents of
    /// a user's chains to a dozen machines).
    init(capacity: Int = 16 << 20) {
        self.capacity = capacity
    }

    func document(etag: String) -> [UInt8]? {
        state.withLock { $0.documents[etag] }
    }

    func remember(etag: String, document: [UInt8]) {
        guard document.count <= capacity else { return }
        state.withLock { state in
            guard state.documents.updateValue(document, forKey: etag) == nil else { return }
            state.order.append(etag)
            state.bytes += document.count
            while state.bytes > capacity, state.head < state.order.count {
                let oldest = state.order[state.head]
                state.head += 1
                state.bytes -= state.documents.removeValue(forKey: oldest)?.count ?? 0
            }
            if state.head > 1024, state.head * 2 > state.order.count {
                state.order.removeFirst(state.head)
                state.head = 0
            }
        }
    }

    var count: Int { state.withLock { $0.documents.count } }
}
