@testable import Registrar
import Foundation
import Synchronization
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The renewal threads (`RenewalThreads`, `BackgroundWork.run(on:)`): work runs off the
/// cooperative pool at nice +5 on kept threads (not one per call), every call gets its own
/// result or error, idle threads end; and the cache's `StoredState` compares the stored
/// texts exactly.
final class RenewalThreadsTests: XCTestCase {
    func testWorkRunsOnKeptThreadsAtLowerPriority() async throws {
        let threads = RenewalThreads(idleTimeout: 5)
        let width = 4
        for round in 0..<3 {
            let results = try await withThrowingTaskGroup(of: (Int, Int32, Bool).self) { group in
                var results: [(Int, Int32, Bool)] = []
                for index in 0..<(width * 8) {
                    if index >= width, let result = try await group.next() { results.append(result) }
                    group.addTask {
                        try await BackgroundWork.run(on: threads, width: width) { () throws(RegistrarError) -> (Int, Int32, Bool) in
                            #if canImport(Glibc)
                            errno = 0
                            let nice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
                            #else
                            let nice = BackgroundWork.niceness
                            #endif
                            return (index * index, nice, Thread.isMainThread)
                        }
                    }
                }
                for try await result in group { results.append(result) }
                return results
            }
            XCTAssertEqual(results.map(\.0).sorted(), (0..<(width * 8)).map { $0 * $0 }, "round \(round)")
            for (_, nice, main) in results {
                XCTAssertGreaterThanOrEqual(nice, BackgroundWork.niceness, "round \(round)")
                XCTAssertFalse(main)
            }
        }
        let statistics = threads.statistics
        // 96 calls, at most `width` at once: at most `width` threads, kept, not one per call.
        XCTAssertLessThanOrEqual(statistics.started, width, "\(statistics)")
        XCTAssertGreaterThanOrEqual(statistics.threads, 1)
    }

    /// 64 calls at once on at most 3 threads: the others wait in the queue.
    func testResultsAndErrorsReachTheirCallers() async {
        let threads = RenewalThreads(idleTimeout: 5)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<64 {
                group.addTask {
                    do {
                        let value = try await BackgroundWork.run(on: threads, width: 3) { () throws(RegistrarError) -> Int in
                            if index % 5 == 0 { throw RegistrarError(.internal, "call \(index)") }
                            return index * 3
                        }
                        XCTAssertNotEqual(index % 5, 0)
                        XCTAssertEqual(value, index * 3)
                    } catch {
                        XCTAssertEqual(index % 5, 0)
                        XCTAssertTrue("\(error)".contains("call \(index)"), "\(error)")
                    }
                }
            }
        }
        XCTAssertLessThanOrEqual(threads.statistics.started, 3)
    }

    func testIdleThreadsEnd() async throws {
        let threads = RenewalThreads(idleTimeout: 0.2)
        _ = try await BackgroundWork.run(on: threads) { () throws(RegistrarError) -> Int in 1 }
        XCTAssertEqual(threads.statistics.started, 1)
        let deadline = Date().addingTimeInterval(10)
        while threads.statistics.threads > 0, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        XCTAssertEqual(threads.statistics.threads, 0, "the idle thread ended")
        // New work after that starts a thread again.
        let value = try await BackgroundWork.run(on: threads) { () throws(RegistrarError) -> Int in 2 }
        XCTAssertEqual(value, 2)
        XCTAssertEqual(threads.statistics.started, 2)
    }

    func testStoredStateComparesTheStoredTexts() {
        func row(_ machine: String, key: String, idx: Int64 = 0) -> DBRow {
            DBRow(values: ["machine": .text(machine), "host": .text("cap-01"), "idx": .int(idx), "key": .text(key),
                           "resource_cert": .text("(sequence \(key))"), "host_key": .null])
        }
        let rows = [row("node[1]", key: "a"), row("node[2]", key: "b")]
        let state = RenewalCache.StoredState(policy: "p", slots: rows)
        XCTAssertEqual(state, RenewalCache.StoredState(policy: "p", slots: rows.reversed()), "machine order, not row order")
        XCTAssertNotEqual(state, RenewalCache.StoredState(policy: "p ", slots: rows))
        XCTAssertNotEqual(state, RenewalCache.StoredState(policy: "p", slots: [row("node[1]", key: "a"), row("node[2]", key: "c")]))
        XCTAssertNotEqual(state, RenewalCache.StoredState(policy: "p", slots: [row("node[1]", key: "a"), row("node[2]", key: "b", idx: 1)]))
        XCTAssertNotEqual(state, RenewalCache.StoredState(policy: "p", slots: [row("node[1]", key: "a")]))
        var hostKey = rows
        hostKey[1].values["host_key"] = .text("")
        XCTAssertNotEqual(state, RenewalCache.StoredState(policy: "p", slots: hostKey), "null and empty differ")
    }
}
