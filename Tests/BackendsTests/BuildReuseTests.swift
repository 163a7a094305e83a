@testable import Backends
import SExpr
import SPKI
import XCTest

/// What a `BundleFileCache` lets a builder keep besides the VMs' and peers' files: the ESP
/// files of hosts with no link end and the files' SHA-256 for the manifest. Over a run of
/// epochs and changes, builders that share one cache give the bytes of builders that do
/// not.
final class BuildReuseTests: XCTestCase {
    func bundles(_ plan: BundlePlan, cache: BundleFileCache?) throws -> [String: [BundleFile]] {
        let builder = try BundleBuilder(plan: plan, secrets: TestPlan.secrets(), cache: cache)
        var result: [String: [BundleFile]] = [:]
        for host in builder.hostNames { result[host] = try builder.build(host: host).files }
        return result
    }

    func nextEpoch(_ plan: inout BundlePlan, _ step: Int) {
        plan.generatedAt = SPKIDate(secondsSinceEpoch: plan.generatedAt.secondsSinceEpoch + 3600)
        let vm = plan.vms[step % plan.vms.count].name
        plan.logins.append(BundlePlan.Login(vm: vm, user: "user\(step % 3)", chain: TestPlan.chain("user\(step)", vm),
                                            expires: SPKIDate(secondsSinceEpoch: TestPlan.windowEnd.secondsSinceEpoch - Int64(step))))
        if plan.logins.count > 4 { plan.logins.removeFirst() }
    }

    func testHostsWithoutLinksKeepTheirESPFiles() throws {
        var plan = try TestPlan.make()
        plan.links = []
        let cache = BundleFileCache()
        XCTAssertEqual(try bundles(plan, cache: cache), try bundles(plan, cache: nil), "first")
        let hits = cache.statistics.hits
        for step in 1...4 {
            nextEpoch(&plan, step)
            XCTAssertEqual(try bundles(plan, cache: cache), try bundles(plan, cache: nil), "epoch \(step)")
        }
        // Per epoch: each VM's files, each host's peer files and its ESP files.
        XCTAssertEqual(cache.statistics.hits - hits, 4 * (plan.vms.count + 2 * plan.hosts.count))
        let esp = try XCTUnwrap(try bundles(plan, cache: cache)["host-b"]?.first { $0.path == "esp.sexp" })
        XCTAssertTrue(String(decoding: esp.bytes, as: UTF8.self).contains("host-b"))
    }

    /// A random run of epochs and changes (a VM's memory, a link more or less, a host's
    /// locators, the HIT version, links cut): every bundle, manifest included, as an
    /// uncached builder makes it.
    func testARandomRunGivesTheUncachedBytes() throws {
        let start = try TestPlan.make()
        var plan = start
        let cache = BundleFileCache()
        var seed: UInt64 = 0x5851_F42D_4C95_7F2D
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int(seed >> 33) % bound
        }
        for step in 0..<24 {
            switch next(6) {
            case 0: plan.vms[next(plan.vms.count)].memoryBytes += 1 << 20
            case 1: plan.links = plan.links.isEmpty ? start.links : Array(plan.links.dropLast())
            case 2: plan.hosts[1].locators = [["192.0.2.2"], ["192.0.2.20"]][next(2)]
            case 3: plan.hitVersion = plan.hitVersion == .v2 ? .v1 : .v2
            case 4: plan.keyHorizon = [nil, 3600, 86400][next(3)]
            default: break
            }
            nextEpoch(&plan, step)
            XCTAssertEqual(try bundles(plan, cache: cache), try bundles(plan, cache: nil), "step \(step)")
        }
        XCTAssertGreaterThan(cache.planStatistics.hits, 0)
    }
}
