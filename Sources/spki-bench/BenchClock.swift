#if canImport(Glibc)
import Glibc
#endif

/// CPU-time clocks for benchmarks, so that other load on a shared machine does not count
/// against either side of a comparison.
enum BenchClock {
    /// CPU seconds used by the calling thread.
    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// CPU seconds used by every thread of this process (the cost of work spread over
    /// several threads; nothing else runs in the benchmark's process meanwhile).
    static func processCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Monotonic wall-clock seconds (for figures reported beside CPU time).
    static func wallSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// CPU seconds (user + system) used by terminated, waited-for child processes.
    static func childrenCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The least thread CPU time of `repetitions` runs of `body`, in seconds.
    static func best(_ repetitions: Int, _ body: () throws -> Void) rethrows -> Double {
        var fastest = Double.infinity
        for _ in 0..<max(1, repetitions) {
            let start = threadCPUSeconds()
            try body()
            fastest = min(fastest, threadCPUSeconds() - start)
        }
        return fastest
    }
}
