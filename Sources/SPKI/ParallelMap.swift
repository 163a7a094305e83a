#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// Independent work (signature checks) spread over a bounded number of
/// threads, results in input order.
///
/// `count` items are split into contiguous chunks; `DispatchQueue.concurrentPerform` runs
/// them on at most one thread per core (its pool is bounded by the machine), and each
/// chunk writes its own slots of the result, so the outcome is the same as a sequential
/// loop, whatever the scheduling: slot `i` always holds `body(i)`.
///
/// With one worker, or by default below `minimumParallelCount` items, everything runs on
/// the calling thread: for a few checks, handing work to other threads costs about what
/// it saves (measured with `spki-bench spki --small-chains`).
enum ParallelMap {
    /// Fewer items than this run sequentially (see `spki-bench spki --small-chains`).
    static let minimumParallelCount = 16

    /// The number of cores online.
    static var cores: Int {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }

    /// `[body(0), body(1), ..., body(count - 1)]`, computed on up to `workers` threads;
    /// `nil`: one per core, and on the calling thread below `minimumParallelCount` items.
    static func map<T: Sendable>(_ count: Int, workers: Int? = nil, _ body: @Sendable (Int) -> T) -> [T] {
        if workers == nil, count < minimumParallelCount { return (0..<count).map(body) }
        let threads = max(1, min(workers ?? cores, count))
        guard threads > 1 else { return (0..<count).map(body) }
        let slots = Slots<T>(count)
        // A few chunks per thread, so that a thread slowed by other load does not hold
        // the whole check back; each chunk is contiguous (its certs are neighbours).
        let chunks = min(count, threads * 4)
        let size = (count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = chunk * size
            guard start < count else { return }
            for index in start..<min(count, start + size) {
                slots.base.advanced(by: index).initialize(to: body(index))
            }
        }
        return slots.take()
    }

    /// Result slots, each initialized by exactly one iteration, read once every
    /// iteration is done (`concurrentPerform` returns after all of them).
    private final class Slots<T>: @unchecked Sendable {
        let base: UnsafeMutablePointer<T>
        let count: Int
        private var taken = false

        init(_ count: Int) {
            self.count = count
            base = .allocate(capacity: count)
        }

        /// The results, moved out (every slot is initialized).
        func take() -> [T] {
            taken = true
            return Array(unsafeUninitializedCapacity: count) { buffer, initialized in
                buffer.baseAddress!.moveInitialize(from: base, count: count)
                initialized = count
            }
        }

        deinit {
            if !taken { base.deinitialize(count: count) }
            base.deallocate()
        }
    }
}
