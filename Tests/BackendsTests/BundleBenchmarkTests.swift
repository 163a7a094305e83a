import Backends
import Foundation
import XCTest

/// The benchmark's generated plan is valid and its bundles verify (at a small size).
final class BundleBenchmarkTests: XCTestCase {
    func testSmallGeneratedPlanBuildsWritesAndVerifies() throws {
        var shape = BundleBenchmark.Shape()
        shape.hosts = 6
        shape.vms = 30
        shape.vmsPerVPXI = 10
        let registrar = try Fixtures.privateKey("registrar")
        let plan = try BundleBenchmark.plan(shape, registrar: registrar)
        XCTAssertEqual(plan.hosts.count, 6)
        XCTAssertEqual(plan.vms.count, 30)
        XCTAssertEqual(plan.links.count, 3 * (9 + 8), "each VPXI of 10: a star of 9 and a ring of 8")
        let directory = try Fixtures.temporaryDirectory(self).appendingPathComponent("nodes").path
        let measurement = try BundleBenchmark.run(plan, secrets: TestPlan.secrets(), directory: directory)
        XCTAssertEqual(measurement.hosts, 6)
        XCTAssertGreaterThan(measurement.securityAssociations, 0)
        XCTAssertGreaterThan(measurement.bytes, 0)
        let key = try Fixtures.key("registrar")
        for host in plan.hosts {
            XCTAssertNoThrow(try BundleVerifier.verify(files: BundleReader.read(directory: "\(directory)/\(host.name)"), registrar: key,
                                                       host: host.name))
        }
    }
}
