#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// Work spread over all cores: `body` runs on consecutive chunks of `0..<count`, each
/// chunk on one thread, and the results come back in order.
enum Parallel {
    /// Slots written by one chunk each, read after every chunk is done.
    private final class Slots<T>: @unchecked Sendable {
        let base: UnsafeMutablePointer<T?>
        let count: Int
        init(_ count: Int) {
            self.count = count
            base = .allocate(capacity: count)
            base.initialize(repeating: nil, count: count)
        }
        deinit {
            base.deinitialize(count: count)
            base.deallocate()
        }
    }

    static func map<T: Sendable>(_ count: Int, chunk: Int = 64, _ body: @Sendable (Range<Int>) -> T) -> [T] {
        guard count > 0 else { return [] }
        let size = max(1, chunk)
        let chunks = (count + size - 1) / size
        let slots = Slots<T>(chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { index in
            let range = index * size..<min(count, (index + 1) * size)
            let value = body(range)
            slots.base[index] = value  // each index is written by one iteration only
        }
        return (0..<chunks).map { slots.base[$0]! }
    }

    /// The number of cores to use.
    static var cores: Int { max(1, System.activeProcessorCount) }
}

/// The machine, for sizing work.
enum System {
    static var activeProcessorCount: Int {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 2
        #endif
    }
}

/// The CPU time of the calling thread (what signing costs, whatever else runs).
enum ThreadClock {
    static func now() -> Duration {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return .seconds(Int64(ts.tv_sec)) + .nanoseconds(Int64(ts.tv_nsec))
    }
}
