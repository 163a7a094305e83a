import Backends
import SExpr
import SPKI
import XCTest

/// `BundleFileCache`: builders that share it give the bytes of builders that do not, from one
/// epoch to the next (another time, other logins), and make a VM's files afresh when
/// anything they are made from changes.
final class BundleFileCacheTests: XCTestCase {
    func build(_ plan: BundlePlan, cache: BundleFileCache?) throws -> [String: [BundleFile]] {
        let builder = try BundleBuilder(plan: plan, secrets: TestPlan.secrets(), cache: cache)
        var result: [String: [BundleFile]] = [:]
        for host in builder.hostNames { result[host] = try builder.build(host: host).files }
        return result
    }

    func assertSameAsUncached(_ plan: BundlePlan, cache: BundleFileCache, _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try build(plan, cache: cache), try build(plan, cache: nil), label, file: file, line: line)
    }

    func testLaterEpochsReuseTheFilesWithTheSameBytes() throws {
        let cache = BundleFileCache()
        var plan = try TestPlan.make()
        try assertSameAsUncached(plan, cache: cache, "first")
        // One lookup per VM (its hypervisor files) and per host (its peer files).
        let lookups = plan.vms.count + plan.hosts.count
        XCTAssertEqual(cache.statistics.hits, 0)
        XCTAssertEqual(cache.statistics.misses, lookups)
        // The next epoch: another time, fewer logins.
        plan.generatedAt = SPKIDate(secondsSinceEpoch: plan.generatedAt.secondsSinceEpoch + 3600)
        plan.logins.removeLast()
        try assertSameAsUncached(plan, cache: cache, "next epoch")
        XCTAssertEqual(cache.statistics.hits, lookups)
        XCTAssertEqual(cache.statistics.misses, lookups)
    }

    func testAChangeMakesTheFilesAfresh() throws {
        let base = try TestPlan.make()
        let changes: [(String, (inout BundlePlan) throws -> Void)] = [
            ("memory", { $0.vms[0].memoryBytes += 1 << 20 }),
            ("cpus", { $0.vms[1].cpus += 1 }),
            ("disk", { $0.vms[0].diskBytes = 3 << 30 }),
            ("image", { $0.vms[2].image = "debian-13" }),
            ("default disk", { $0.defaultDiskBytes = 5 << 30 }),
            ("host images", { $0.hosts[1].imageDirectory = "/srv/other" }),
            ("hypervisor", { $0.hosts[0].hypervisor = $0.hosts[0].hypervisor == .xen ? .kvm : .xen }),
            ("bridge", { $0.vpxis[0].overlayBridge = "br-other" }),
            ("locators", { $0.hosts[1].locators = ["192.0.2.99"] }),
            ("a link less", { $0.links.removeFirst() }),
            ("hit version", { $0.hitVersion = $0.hitVersion == .v2 ? .v1 : .v2 }),
            ("vm key", { plan in
                let vm = plan.vms[0]
                plan.vms[0] = BundlePlan.VM(name: vm.name, vpxi: vm.vpxi, host: vm.host, publicKey: try Fixtures.key("registrar").publicKey,
                                            cpus: vm.cpus, memoryBytes: vm.memoryBytes, diskBytes: vm.diskBytes, image: vm.image)
            }),
        ]
        for (label, change) in changes {
            let cache = BundleFileCache()
            try assertSameAsUncached(base, cache: cache, "\(label): before")
            var changed = base
            try change(&changed)
            let misses = cache.statistics.misses
            try assertSameAsUncached(changed, cache: cache, label)
            XCTAssertGreaterThan(cache.statistics.misses, misses, label)
            XCTAssertNotEqual(try build(changed, cache: nil), try build(base, cache: nil), "\(label) changes some file")
        }
    }

    func testTheLimitBoundsWhatIsKept() throws {
        let plan = try TestPlan.make()
        let none = BundleFileCache(limit: 0)
        try assertSameAsUncached(plan, cache: none, "limit 0")
        try assertSameAsUncached(plan, cache: none, "limit 0, again")
        XCTAssertEqual(none.statistics.hits, 0)
        let one = BundleFileCache(limit: 1)
        try assertSameAsUncached(plan, cache: one, "limit 1")
        try assertSameAsUncached(plan, cache: one, "limit 1, again")
        XCTAssertLessThanOrEqual(one.statistics.hits, 2, "the last VM and the last host at most")
        XCTAssertEqual(BundleFileCache(limit: -3).limit, 0)
    }
}
