@testable import Backends
import SExpr
import SPKI
import XCTest

/// `ResolvedPlan.Base`, kept by `BundleFileCache`: a plan that hands over the same
/// registrars, hosts, VPXIs, VMs and links (the same arrays, as the registrar's skeleton
/// does at every epoch) is resolved from the kept checks, with its logins checked again;
/// anything else (a copy, a change, another HIT version) is resolved afresh. Either way
/// the resolution, and the bundles, are those of a plan resolved from nothing.
final class ResolvedPlanBaseTests: XCTestCase {
    func assertSameResolution(_ a: ResolvedPlan, _ b: ResolvedPlan, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.hostIndex, b.hostIndex, label, file: file, line: line)
        XCTAssertEqual(a.vmIndex, b.vmIndex, label, file: file, line: line)
        XCTAssertEqual(a.vpxiIndex, b.vpxiIndex, label, file: file, line: line)
        XCTAssertEqual(a.registrarIndex, b.registrarIndex, label, file: file, line: line)
        XCTAssertEqual(a.locators, b.locators, label, file: file, line: line)
        XCTAssertEqual(a.hits, b.hits, label, file: file, line: line)
        XCTAssertEqual(a.lsis, b.lsis, label, file: file, line: line)
        XCTAssertEqual(a.vmsOfHost, b.vmsOfHost, label, file: file, line: line)
        XCTAssertEqual(a.linksOfVM, b.linksOfVM, label, file: file, line: line)
        XCTAssertEqual(a.loginsOfVM, b.loginsOfVM, label, file: file, line: line)
    }

    func bundles(_ plan: BundlePlan, cache: BundleFileCache?) throws -> [[BundleFile]] {
        let builder = try BundleBuilder(plan: plan, secrets: TestPlan.secrets(), cache: cache)
        return try builder.hostNames.map { try builder.build(host: $0).files }
    }

    func testLaterEpochsResolveFromTheKeptBase() throws {
        let cache = BundleFileCache()
        var plan = try TestPlan.make()
        assertSameResolution(try cache.resolved(plan), try ResolvedPlan(plan), "first")
        XCTAssertEqual(cache.planStatistics.hits, 0)
        XCTAssertEqual(cache.planStatistics.misses, 1)
        for epoch in 1...3 {
            plan.generatedAt = SPKIDate(secondsSinceEpoch: plan.generatedAt.secondsSinceEpoch + 3600)
            plan.keyHorizon = Int64(epoch) * 7200
            plan.logins.append(BundlePlan.Login(vm: "vm-\(epoch + 2)", user: "user\(epoch)", chain: TestPlan.chain("user\(epoch)", "vm-\(epoch + 2)"),
                                                expires: TestPlan.windowEnd))
            plan.logins.swapAt(0, plan.logins.count - 1)
            assertSameResolution(try cache.resolved(plan), try ResolvedPlan(plan), "epoch \(epoch)")
            XCTAssertEqual(try bundles(plan, cache: cache), try bundles(plan, cache: nil), "epoch \(epoch)")
        }
        XCTAssertEqual(cache.planStatistics.misses, 1, "checked once")
        XCTAssertEqual(cache.planStatistics.hits, 6)
    }

    /// Equal arrays that are copies (other storage) are not taken for the same: resolved
    /// afresh, to the same result.
    func testCopiesAndChangesAreResolvedAfresh() throws {
        let plan = try TestPlan.make()
        let changes: [(String, (inout BundlePlan) -> Void)] = [
            ("registrars copied", { $0.registrars = $0.registrars.map { $0 } }),
            ("hosts copied", { $0.hosts = $0.hosts.map { $0 } }),
            ("vpxis copied", { $0.vpxis = $0.vpxis.map { $0 } }),
            ("vms copied", { $0.vms = $0.vms.map { $0 } }),
            ("links copied", { $0.links = $0.links.map { $0 } }),
            ("a vm changed", { $0.vms[4].cpus += 1 }),
            ("a host moved", { $0.hosts[1].locators = ["192.0.2.77"] }),
            ("a link less", { $0.links.removeLast() }),
            ("hit version", { $0.hitVersion = $0.hitVersion == .v2 ? .v1 : .v2 }),
        ]
        for (label, change) in changes {
            let cache = BundleFileCache()
            _ = try cache.resolved(plan)
            var changed = plan
            change(&changed)
            let resolved = try cache.resolved(changed)
            XCTAssertEqual(cache.planStatistics.hits, 0, label)
            XCTAssertEqual(cache.planStatistics.misses, 2, label)
            assertSameResolution(resolved, try ResolvedPlan(changed), label)
            XCTAssertEqual(try bundles(changed, cache: cache), try bundles(changed, cache: nil), label)
            XCTAssertEqual(cache.planStatistics.hits, 1, "\(label): the new base is kept")
        }
    }

    /// A kept base does not spare the logins their checks: each bad login is refused with
    /// the error of a plan resolved from nothing.
    func testLoginsAreCheckedEveryTime() throws {
        let plan = try TestPlan.make()
        let bad: [(String, (inout BundlePlan.Login) -> Void)] = [
            ("unknown vm", { $0.vm = "vm-nowhere" }),
            ("user with a space", { $0.user = "al ice" }),
            ("empty user", { $0.user = "" }),
            ("bad ssh key", { $0.sshPublicKey = "ssh-rsa not base64!\nsecond line" }),
            ("window", { $0.notBefore = $0.expires }),
        ]
        let cache = BundleFileCache()
        _ = try cache.resolved(plan)
        for (label, change) in bad {
            var changed = plan
            change(&changed.logins[0])
            var fresh: BackendsError?
            XCTAssertThrowsError(try ResolvedPlan(changed), label) { fresh = $0 as? BackendsError }
            XCTAssertThrowsError(try cache.resolved(changed), label) { XCTAssertEqual($0 as? BackendsError, fresh, label) }
        }
        XCTAssertEqual(cache.planStatistics.misses, 1, "the base was kept throughout")
    }

    /// A plan that fails its checks leaves nothing kept.
    func testAFailedPlanIsNotKept() throws {
        var plan = try TestPlan.make()
        plan.hosts[0].locators = ["not an address"]
        let cache = BundleFileCache()
        XCTAssertThrowsError(try cache.resolved(plan))
        XCTAssertThrowsError(try cache.resolved(plan), "checked again, not taken as kept")
        XCTAssertEqual(cache.planStatistics.misses, 2)
        XCTAssertEqual(cache.planStatistics.hits, 0)
    }

    func testLimitZeroKeepsNothing() throws {
        let plan = try TestPlan.make()
        let cache = BundleFileCache(limit: 0)
        _ = try cache.resolved(plan)
        _ = try cache.resolved(plan)
        XCTAssertEqual(cache.planStatistics.hits, 0)
    }

    func testSameStorage() {
        let a = [1, 2, 3]
        let b = a
        var c = a
        XCTAssertTrue(ResolvedPlan.Base.same(a, b))
        c[0] = 1
        XCTAssertFalse(ResolvedPlan.Base.same(a, c), "written: a copy of its own")
        XCTAssertFalse(ResolvedPlan.Base.same(a, a.map { $0 }), "equal, other storage")
        XCTAssertFalse(ResolvedPlan.Base.same(a, Array(a.prefix(2))))
        XCTAssertTrue(ResolvedPlan.Base.same([Int](), []))
    }

    /// `hasSpace` answers as `contains(" ")`, for ASCII and for text where a space
    /// carries a combining mark (one character that is not a space).
    func testHasSpaceIsContainsSpace() {
        let pieces = ["a", "b", " ", "\u{301}", "é", "\r\n", "\t", "日本", "\u{200D}", "-", "👩‍💻"]
        var seed: UInt64 = 7
        for _ in 0..<2000 {
            var text = ""
            for _ in 0..<(seed % 7) {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                text += pieces[Int(seed >> 33) % pieces.count]
            }
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            XCTAssertEqual(ResolvedPlan.hasSpace(text), text.contains(" "), "\(Array(text.unicodeScalars))")
        }
        XCTAssertEqual(ResolvedPlan.hasSpace("a \u{301}b"), "a \u{301}b".contains(" "), "a space with a combining mark")
        XCTAssertTrue(ResolvedPlan.hasSpace("al ice"))
        XCTAssertFalse(ResolvedPlan.hasSpace("alice"))
    }
}
