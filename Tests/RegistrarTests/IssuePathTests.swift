@testable import Registrar
import Foundation
import Synchronization
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Run O's pieces of the issue path on their own: a batch handed to the renewal threads
/// whole (`BackgroundWork.map`: every result in its place, errors to theirs, at most `width`
/// threads, nice +5, one resumption of the caller, cancellation leaves the rest unrun), and
/// the cache's lookup that compares the stored texts in place (`StoredState.matches`: the
/// same answer as building the state and comparing, over random rows and changes).
final class IssuePathTests: XCTestCase {
    func testABatchRunsEveryItemInOrderOnAtMostWidthThreads() async {
        let threads = RenewalThreads(idleTimeout: 5)
        for (round, (count, width)) in [(16, 2), (1, 2), (5, 8), (40, 3), (0, 2)].enumerated() {
            let seen = Mutex<Set<String>>([])
            let results = await BackgroundWork.map(Array(0..<count), on: threads, width: width) { (item: Int) throws(RegistrarError) -> (Int, Int32) in
                seen.withLock { _ = $0.insert(Thread.current.description) }
                if item % 7 == 3 { throw RegistrarError(.internal, "item \(item)") }
                #if canImport(Glibc)
                return (item * item, getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
                #else
                return (item * item, BackgroundWork.niceness)
                #endif
            }
            XCTAssertEqual(results.count, count, "round \(round)")
            for (item, result) in results.enumerated() {
                switch result {
                case .success(let (value, nice))?:
                    XCTAssertNotEqual(item % 7, 3, "round \(round)")
                    XCTAssertEqual(value, item * item, "round \(round)")
                    XCTAssertGreaterThanOrEqual(nice, BackgroundWork.niceness)
                case .failure(let error)?:
                    XCTAssertEqual(item % 7, 3, "round \(round)")
                    XCTAssertTrue("\(error)".contains("item \(item)"), "\(error)")
                case nil:
                    XCTFail("round \(round): item \(item) was not run")
                }
            }
            XCTAssertLessThanOrEqual(seen.withLock { $0.count }, max(1, width), "round \(round)")
        }
        XCTAssertLessThanOrEqual(threads.statistics.started, 8)
    }

    /// A cancelled caller: the items not taken yet are not run (nil), the ones run keep
    /// their results, and the call returns.
    func testACancelledBatchLeavesTheRestUnrun() async {
        let threads = RenewalThreads(idleTimeout: 5)
        let started = Mutex(0)
        let task = Task {
            await BackgroundWork.map(Array(0..<200), on: threads, width: 2) { (item: Int) throws(RegistrarError) -> Int in
                started.withLock { $0 += 1 }
                Thread.sleep(forTimeInterval: 0.005)
                return item
            }
        }
        try? await Task.sleep(for: .milliseconds(30))
        task.cancel()
        let results = await task.value
        XCTAssertEqual(results.count, 200)
        let run = results.compactMap { $0 }
        XCTAssertEqual(run.count, started.withLock { $0 })
        XCTAssertLessThan(run.count, 200, "cancelled, yet every item ran")
        for (item, result) in results.enumerated() {
            if case .success(let value)? = result { XCTAssertEqual(value, item) }
        }
    }

    /// `matches(policy:slots:)` answers as `==` on a built state does, over random slots,
    /// row orders and changes (a column changed, null for empty, a slot more or less, the
    /// policy changed).
    func testStoredStateMatchesInPlaceAsBuilt() {
        var random = TestRandomBits(seed: 0x0157_0ED0)
        func pick(_ list: [String]) -> String { list[Int(random.next() % UInt64(list.count))] }
        func row(_ machine: String) -> DBRow {
            DBRow(values: ["machine": .text(machine), "host": .text(pick(["cap-01", "cap-02"])), "idx": .int(Int64(random.next() % 3)),
                           "key": .text(pick(["(public-key a)", "(public-key b)"])), "resource_cert": .text(pick(["(sequence x)", "(sequence y)"])),
                           "host_key": random.next() % 3 == 0 ? .null : .text(pick(["", "(public-key h)"]))])
        }
        var hits = 0, misses = 0
        for _ in 0..<2_000 {
            let machines = (0..<Int(1 + random.next() % 4)).map { "node[\($0 + 1)]" }
            let rows = machines.map(row)
            let policy = pick(["vpxi a {}", "vpxi b {}"])
            let state = RenewalCache.StoredState(policy: policy, slots: rows)
            var other = rows
            var otherPolicy = policy
            switch random.next() % 6 {
            case 0: break
            case 1: other.reverse()
            case 2:
                let index = Int(random.next() % UInt64(other.count))
                let column = pick(RenewalCache.StoredState.slotColumns)
                other[index].values[column] = random.next() % 2 == 0 ? .null : .text(pick(["", "(public-key a)", "cap-01", "node[1]"]))
            case 3: other.append(row("node[9]"))
            case 4: other.removeLast()
            default: otherPolicy = pick(["vpxi a {}", "vpxi b {}", "vpxi a {} "])
            }
            let expected = state == RenewalCache.StoredState(policy: otherPolicy, slots: other)
            XCTAssertEqual(state.matches(policy: otherPolicy, slots: other), expected, "\(rows) vs \(other)")
            if expected { hits += 1 } else { misses += 1 }
        }
        XCTAssertGreaterThan(hits, 300)
        XCTAssertGreaterThan(misses, 300)
    }
}
