import Foundation
import TestSupport
import XCTest

extension NamespaceLab {
    /// iperf3 from A's HIT to B's HIT (TCP, or UDP at `rate`) for `seconds`; its JSON report.
    func iperf(udp: Bool, seconds: Int = 1, rate: String = "5M") throws -> [String: Any] {
        let iperf3 = try ExternalTool.require("iperf3", package: "iperf3")
        let port = "\(Int.random(in: 20000..<30000))"
        let server = try spawn(b, [iperf3, "-s", "-1", "-B", b.hit.description, "-p", port],
                               log: directory.appendingPathComponent("iperf-server-\(port).log").path)
        defer { if server.isRunning { server.terminate() } }
        var arguments = [iperf3, "-c", b.hit.description, "-B", a.hit.description, "-p", port,
                         "-t", "\(seconds)", "--json", "--connect-timeout", "3000"]
        if udp { arguments += ["-u", "-b", rate] }
        var result = try exec(a, arguments)
        // iperf3 3.12 with --json exits 0 even when it could not connect: look at the report.
        for _ in 0..<30 where result.stdoutText.contains("Connection refused") {
            usleep(100_000)  // the server is not listening yet
            result = try exec(a, arguments)
        }
        let report = (try? JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any]) ?? [:]
        XCTAssertEqual(result.status, 0, "iperf3: \(result.stdoutText.suffix(500)) \(result.stderrText)\n\(agentLog(a))")
        XCTAssertNil(report["error"], "iperf3: \(report["error"] ?? "")\n\(agentLog(a))")
        return report
    }

    /// The bytes B received in a TCP iperf3 run.
    func tcpBytesReceived(seconds: Int = 1) throws -> Double {
        let report = try iperf(udp: false, seconds: seconds)
        return ((report["end"] as? [String: Any])?["sum_received"] as? [String: Any])?["bytes"] as? Double ?? 0
    }
}

extension NamespaceLab {
    /// Waits until tcpdump, started with its output in `log`, is capturing.
    func waitForCapture(log: String) throws {
        try waitFor("tcpdump to listen", seconds: 10) {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("listening on")
        }
    }
}

extension NamespaceLab {
    /// Captures on B's veth (tcpdump with `filter`) while A sends `text` in one UDP datagram
    /// to B's HIT, port 40000; returns the pcap file once the ESP packet is in it (or after 3 s).
    func captureProbe(_ text: String, file: String, filter: [String]) throws -> String {
        let tcpdump = try ExternalTool.require("tcpdump", package: "tcpdump")
        let capture = directory.appendingPathComponent(file).path
        let log = directory.appendingPathComponent("tcpdump.log").path
        let dump = try spawn(b, [tcpdump, "-i", b.veth, "-Z", "root", "-w", capture, "-U", "-n"] + filter, log: log)
        try waitForCapture(log: log)
        try sendUDP(from: a, to: b.hit.description, port: 40000, text: text)
        try? waitFor("the ESP packet in the capture", seconds: 3) { (try? PcapReader.udpPayloads(path: capture))?.isEmpty == false }
        dump.interrupt()
        dump.waitUntilExit()
        return capture
    }
}
