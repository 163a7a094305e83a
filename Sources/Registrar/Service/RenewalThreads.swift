import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The threads renewals run on (`BackgroundWork`): long-lived, each started once at nice
/// +5 with an 8 MiB stack, fed from one queue, instead of a thread made (and its stack
/// mapped, its priority set) for every renewal. A thread is started when work arrives, none
/// is idle and fewer than the caller's limit are alive (the renewal pass gives
/// `renewalWidth`, the renewals it runs at once; past the limit the work waits in the queue
/// for the next thread that finishes); one idle for `idleTimeout` ends, so that a registrar
/// between passes (or a service dropped by a test) keeps no thread.
final class RenewalThreads: Sendable {
    typealias Job = @Sendable () -> Void

    private struct State {
        var jobs: [Job] = []
        /// Index of the next job to run in `jobs` (a queue without shifting the array).
        var next = 0
        /// Threads waiting for a signal that no one sent yet.
        var waiting = 0
        var threads = 0
        var started = 0
    }

    private let state = Mutex<State>(State())
    private let wake = DispatchSemaphore(value: 0)
    let niceness: Int32
    let idleTimeout: Double

    init(niceness: Int32 = BackgroundWork.niceness, idleTimeout: Double = 30) {
        self.niceness = niceness
        self.idleTimeout = idleTimeout
    }

    /// Runs `job` on one of the threads, starting one when none is idle and fewer than
    /// `limit` are alive.
    func submit(limit: Int = .max, _ job: @escaping Job) {
        enum Action { case signal, start, queued }
        let action = state.withLock { state -> Action in
            state.jobs.append(job)
            if state.waiting > 0 {
                state.waiting -= 1
                return .signal
            }
            // The threads alive are all running: one takes the job when it finishes.
            guard state.threads < max(1, limit) else { return .queued }
            state.threads += 1
            state.started += 1
            return .start
        }
        switch action {
        case .signal: wake.signal()
        case .start: startThread()
        case .queued: break
        }
    }

    /// The threads alive now, and how many were ever started (for tests).
    var statistics: (threads: Int, started: Int) {
        state.withLock { ($0.threads, $0.started) }
    }

    private func startThread() {
        let thread = Thread { [self] in
            #if canImport(Glibc)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
            #endif
            work()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func work() {
        while true {
            let job = state.withLock { state -> Job? in
                guard state.next < state.jobs.count else {
                    state.waiting += 1
                    return nil
                }
                let job = state.jobs[state.next]
                state.next += 1
                if state.next == state.jobs.count {
                    state.jobs.removeAll(keepingCapacity: true)
                    state.next = 0
                }
                return job
            }
            if let job {
                job()
                continue
            }
            if wake.wait(timeout: .now() + idleTimeout) == .success { continue }
            // Timed out: leave, unless every waiting thread was signalled meanwhile (one
            // of the signals is then this thread's: take it and go on).
            let leave = state.withLock { state -> Bool in
                guard state.waiting > 0 else { return false }
                state.waiting -= 1
                state.threads -= 1
                return true
            }
            if leave { return }
            wake.wait()
        }
    }
}
