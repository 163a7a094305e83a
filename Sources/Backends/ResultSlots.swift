import Foundation

/// One result per index, filled from several threads (each index by one thread only), read
/// once all are done. The first failure in index order is rethrown, so errors are
/// deterministic too.
final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    private var slots: [Result<Value, BackendsError>?]
    private let lock = NSLock()

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ result: Result<Value, BackendsError>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    /// The values set so far, in index order.
    func successes() -> [Value] {
        lock.lock()
        defer { lock.unlock() }
        return slots.compactMap { slot in
            if case .success(let value)? = slot { return value }
            return nil
        }
    }

    func collect() throws(BackendsError) -> [Value] {
        lock.lock()
        defer { lock.unlock() }
        var values: [Value] = []
        values.reserveCapacity(slots.count)
        for slot in slots {
            switch slot {
            case .success(let value)?: values.append(value)
            case .failure(let error)?: throw error
            case nil: preconditionFailure("a result was never set")
            }
        }
        return values
    }
}
