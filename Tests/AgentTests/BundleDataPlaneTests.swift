import Agent
import Backends
import Foundation
import SPKI
import TestSupport
import XCTest

/// The data plane from bundles: two namespaces, each running `vpxi-agent run --bundle` on
/// its host's bundle built by `BundleBuilder`; TCP between the VMs' HITs, and a corrupted
/// bundle refused while the previous SAs keep carrying traffic.
final class BundleDataPlaneTests: XCTestCase {
    func testTCPBetweenHITsFromBundlesAndACorruptedBundleLeavesTheTunnelUp() throws {
        try NamespaceLab.requireRoot()
        let iperf3 = try ExternalTool.require("iperf3", package: "iperf3")
        let lab = try NamespaceLab()
        defer { lab.close() }
        let now = Date()
        let seconds = Int64(now.timeIntervalSince1970)
        var bundles = BundleLab(window: BundleLab.around(now), generatedAt: SPKIDate(secondsSinceEpoch: seconds - 60))
        bundles.locators = (lab.a.address, lab.b.address)
        let nodes = lab.directory.appendingPathComponent("nodes").path
        try bundles.write(to: nodes)
        let hits = try BundleBuilder(plan: try bundles.plan(), secrets: try BundleSecrets(espMasterKey: Array(repeating: 7, count: 32))).hits
        let vm1 = try XCTUnwrap(hits["vm-1"]), vm2 = try XCTUnwrap(hits["vm-2"])
        let registrar = lab.directory.appendingPathComponent("registrar.pub").path
        try BundleLab.key("registrar").publicKeyBytes(.pem).write(to: registrar)
        let keys = PackagePaths.corpus("backends").appendingPathComponent("keys")
        for (host, name, hit) in [(lab.a, "host-a", vm1), (lab.b, "host-b", vm2)] {
            _ = try lab.spawn(host, [PackagePaths.executable("vpxi-agent"), "run", "--bundle", "\(nodes)/\(name)",
                                     "--key", keys.appendingPathComponent("\(name).pem").path, "--registrar-key", registrar,
                                     "--state", host.stateDirectory, "--tun", NamespaceLab.tun, "--listen", "\(host.address):10500",
                                     "--log-level", "debug"],
                              log: lab.directory.appendingPathComponent("\(host.name)-agent.log").path)
            try lab.waitFor("\(name)'s TUN with the HIT of its VM", seconds: 10) {
                (try? lab.exec(host, ["ip", "-6", "addr", "show", "dev", NamespaceLab.tun]))?.stdoutText.contains(hit.description) == true
            }
        }

        func tcp() throws -> (bytes: Double, log: String) {
            let port = "\(Int.random(in: 20000..<30000))"
            let server = try lab.spawn(lab.b, [iperf3, "-s", "-1", "-B", vm2.description, "-p", port],
                                       log: lab.directory.appendingPathComponent("iperf-\(port).log").path)
            defer { if server.isRunning { server.terminate() } }
            let arguments = [iperf3, "-c", vm2.description, "-B", vm1.description, "-p", port, "-t", "1", "--json", "--connect-timeout", "3000"]
            var result = try lab.exec(lab.a, arguments)
            // The server may not listen yet (iperf3 3.12 exits 0 even then, with the error in its JSON).
            for _ in 0..<50 where result.stdoutText.contains("Connection refused") {
                usleep(200_000)
                result = try lab.exec(lab.a, arguments)
            }
            XCTAssertEqual(result.status, 0, "\(result.stdoutText.suffix(400))\n\(lab.agentLog(lab.a))\n\(lab.agentLog(lab.b))")
            let json = (try? JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any]) ?? [:]
            let bytes = ((json["end"] as? [String: Any])?["sum_received"] as? [String: Any])?["bytes"] as? Double ?? 0
            let serverLog = (try? String(contentsOfFile: lab.directory.appendingPathComponent("iperf-\(port).log").path, encoding: .utf8)) ?? ""
            let addresses = (try? lab.exec(lab.b, ["ip", "-6", "addr", "show"]))?.stdoutText ?? ""
            return (bytes, "iperf3: \(result.stdoutText.suffix(1500))\nserver: \(serverLog)\nB: \(addresses)\n\(lab.agentLog(lab.a).suffix(3000))\n\(lab.agentLog(lab.b).suffix(3000))")
        }
        let first = try tcp()
        XCTAssertGreaterThan(first.bytes, 100_000, "TCP between the VMs' HITs through bundles' SAs\n\(first.log)")
        let status = try lab.status(lab.a)
        XCTAssertEqual(Set(status.associations.map(\.peerHIT)), [vm2])
        XCTAssertGreaterThan(status.totals.packetsOut, 0)

        // A newer bundle for host-b with one byte changed: refused, the tunnel still works.
        bundles.generatedAt = SPKIDate(secondsSinceEpoch: seconds - 30)
        try bundles.write(to: nodes, corrupting: ("host-b", "esp.sexp"))
        try lab.waitFor("host-b to refuse the bundle", seconds: 5) {
            lab.agentLog(lab.b).contains("bundle refused, keeping the last good one")
        }
        XCTAssertTrue(lab.agentLog(lab.b).contains("esp.sexp"), lab.agentLog(lab.b))
        let second = try tcp()
        XCTAssertGreaterThan(second.bytes, 100_000, "the previous SAs keep working\n\(second.log)")
    }
}
