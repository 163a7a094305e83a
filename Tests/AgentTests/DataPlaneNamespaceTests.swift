import Agent
import Foundation
import TestSupport
import XCTest

/// The data plane between two namespaces, each running `vpxi-agent run`.
final class DataPlaneNamespaceTests: XCTestCase {
    private func lab(_ epochs: [NamespaceLab.Epoch], overlap: Double = 2) throws -> NamespaceLab {
        try NamespaceLab.requireRoot()
        let lab = try NamespaceLab()
        do {
            try lab.writeInputs(epochs)
            try lab.startAgents(overlap: overlap)
        } catch {
            lab.close()
            throw error
        }
        return lab
    }

    private static var now: Date { Date() }

    private func iperf(_ lab: NamespaceLab, udp: Bool, seconds: Int = 1, rate: String = "5M") throws -> [String: Any] {
        try lab.iperf(udp: udp, seconds: seconds, rate: rate)
    }

    func testUDPAndTCPBetweenHITsAndOnlyESPInUDPOnTheWire() throws {
        let tcpdump = try ExternalTool.require("tcpdump", package: "tcpdump")
        let tshark = try ExternalTool.require("tshark", package: "tshark")
        let lab = try lab([NamespaceLab.epoch(0, start: Self.now.addingTimeInterval(-60), end: Self.now.addingTimeInterval(3600))])
        defer { lab.close() }
        let capture = lab.directory.appendingPathComponent("veth.pcap").path
        let dump = try lab.spawn(lab.a, [tcpdump, "-i", lab.a.veth, "-Z", "root", "-w", capture, "-U", "-n"],
                                 log: lab.directory.appendingPathComponent("tcpdump.log").path)
        try lab.waitForCapture(log: lab.directory.appendingPathComponent("tcpdump.log").path)

        let tcp = try iperf(lab, udp: false)
        let received = ((tcp["end"] as? [String: Any])?["sum_received"] as? [String: Any])?["bytes"] as? Double ?? 0
        XCTAssertGreaterThan(received, 100_000, "TCP between the HITs")
        let udp = try iperf(lab, udp: true)
        let sum = (udp["end"] as? [String: Any])?["sum"] as? [String: Any] ?? [:]
        XCTAssertGreaterThan(sum["packets"] as? Double ?? 0, 100, "UDP between the HITs")
        XCTAssertLessThan(sum["lost_percent"] as? Double ?? 100, 5)

        dump.interrupt()
        dump.waitUntilExit()
        let frames = try ExternalTool.run(tshark, ["-r", capture, "-n", "-d", "udp.port==10500,udpencap", "-T", "fields", "-e", "frame.protocols"])
        let protocols = frames.stdoutText.split(separator: "\n").map(String.init)
        let ipFrames = protocols.filter { !$0.hasSuffix(":arp") }
        XCTAssertGreaterThan(ipFrames.count, 200, "tshark: \(frames.stderrText) tcpdump: \((try? String(contentsOfFile: lab.directory.appendingPathComponent("tcpdump.log").path, encoding: .utf8)) ?? "")")
        let notESP = ipFrames.filter { $0 != "eth:ethertype:ip:udp:udpencap:esp" }
        XCTAssertEqual(notESP.count, 0, "only ESP in UDP on the veth; found \(Set(notESP))")

        let status = try lab.status(lab.b)
        XCTAssertGreaterThan(status.totals.packetsIn, 100)
        XCTAssertEqual(status.associations.count, 1)
        XCTAssertEqual(status.totals.authenticationFailures, 0)
    }

    /// tshark 4.0 builds the GCM additional data with 32-bit sequence numbers, so this
    /// check runs the link in the 32-bit test mode.
    func testTsharkDecryptsTheCaptureWithTheScheduleKeys() throws {
        _ = try ExternalTool.require("tcpdump", package: "tcpdump")
        let tshark = try ExternalTool.require("tshark", package: "tshark")
        let epoch = NamespaceLab.epoch(0, start: Self.now.addingTimeInterval(-60), end: Self.now.addingTimeInterval(3600), esn: false)
        let lab = try lab([epoch])
        defer { lab.close() }
        let probe = "spkic-beet-probe"
        let capture = try lab.captureProbe(probe, file: "decrypt.pcap", filter: ["udp"])

        let hex = { (bytes: [UInt8]) in "0x" + bytes.map { String(format: "%02x", $0) }.joined() }
        let spi = { (value: UInt32) in String(format: "0x%08x", value) }
        let record = { (src: String, dst: String, value: UInt32, key: [UInt8]) in
            "uat:esp_sa:\"IPv4\",\"\(src)\",\"\(dst)\",\"\(spi(value))\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"\(hex(key))\",\"NULL\",\"\""
        }
        let result = try ExternalTool.run(tshark, [
            "-r", capture, "-n", "-d", "udp.port==10500,udpencap",
            "-o", "esp.enable_encryption_decode:TRUE",
            "-o", record(lab.a.address, lab.b.address, epoch.spiAB, epoch.keyAB),
            "-o", record(lab.b.address, lab.a.address, epoch.spiBA, epoch.keyBA),
            "-T", "fields", "-e", "esp.spi", "-e", "udp.dstport", "-e", "data.data",
        ])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let probeHex = probe.utf8.map { String(format: "%02x", $0) }.joined()
        XCTAssertTrue(result.stdoutText.contains(probeHex),
                      "tshark shows the inner payload after decryption; got:\n\(result.stdoutText)\n\(result.stderrText)")
        XCTAssertTrue(result.stdoutText.contains("40000"), "the inner UDP header is decrypted too")
    }

    func testReplayedAndUnknownPacketsAreDropped() throws {
        _ = try ExternalTool.require("tcpdump", package: "tcpdump")
        let lab = try lab([NamespaceLab.epoch(0, start: Self.now.addingTimeInterval(-60), end: Self.now.addingTimeInterval(3600))])
        defer { lab.close() }
        let capture = try lab.captureProbe("first", file: "replay.pcap", filter: ["udp", "and", "dst", "port", "10500"])
        let packets = try PcapReader.udpPayloads(path: capture)
        guard let original = packets.first(where: { $0.count > 16 }) else { return XCTFail("no ESP packet captured") }
        let before = try lab.status(lab.b)
        XCTAssertEqual(before.totals.packetsIn, 1)

        let socket = try lab.socket(in: lab.a)
        defer { close(socket) }
        var peer = try Locator(address: lab.b.address).sockaddr
        func inject(_ bytes: [UInt8]) {
            _ = bytes.withUnsafeBytes { raw in
                withUnsafePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(socket, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
        }
        inject(original)  // replay
        var unknown = original
        unknown[0...3] = [0, 0, 0x99, 0x99][...]  // an SPI without SA
        inject(unknown)
        var forged = original
        forged[7] = forged[7] &+ 5  // a fresh sequence number: the ICV no longer verifies
        inject(forged)
        let after = try lab.status(lab.b, after: Date().addingTimeInterval(0.3))
        XCTAssertEqual(after.totals.packetsIn, 1, "nothing injected was accepted")
        XCTAssertEqual(after.totals.replaysDropped, 1)
        XCTAssertEqual(after.totals.noAssociationDropped - before.totals.noAssociationDropped, 1)
        XCTAssertEqual(after.totals.authenticationFailures, 1)
    }

    func testRekeyAtTheEpochBoundaryLosesNothingAndTrafficStopsAtExpiry() throws {
        // The schedule is fixed in the inputs before the agents start, so it leaves room for a
        // slow set-up on a loaded machine: the host keys exist before the clock starts, the
        // boundary is 8 s away, and the old epoch keeps receiving 8 s after it (until its
        // removal, which is where the two-SA check below must happen).
        _ = NamespaceLab.hostKeys
        let overlap = 8.0
        let boundary = Self.now.addingTimeInterval(8)
        let expiry = boundary.addingTimeInterval(10)
        let lab = try lab([
            NamespaceLab.epoch(0, start: Self.now.addingTimeInterval(-60), end: boundary, linkExpiry: expiry),
            NamespaceLab.epoch(1, start: boundary, end: Self.now.addingTimeInterval(3600), linkExpiry: expiry),
        ], overlap: overlap)
        defer { lab.close() }
        let slack = boundary.timeIntervalSinceNow
        guard slack > 1 else {
            return XCTFail("the lab's set-up ended \(String(format: "%.1f", -slack)) s after the boundary it was to test")
        }
        // Across the boundary: continuous UDP at 2 Mbit/s, well below what the veth carries.
        if slack > 2 { usleep(UInt32((slack - 2) * 1_000_000)) }
        let started = Date()
        let udp = try iperf(lab, udp: true, seconds: 4, rate: "2M")
        let ended = Date()
        XCTAssertLessThan(started, boundary, "iperf3 started before the boundary")
        XCTAssertGreaterThan(ended, boundary, "iperf3 ended after the boundary")
        XCTAssertLessThan(ended, boundary.addingTimeInterval(overlap - 1), "iperf3 ended before the old SA's removal")
        let sum = (udp["end"] as? [String: Any])?["sum"] as? [String: Any] ?? [:]
        XCTAssertGreaterThan(sum["packets"] as? Double ?? 0, 100)
        let diagnostics = { "iperf3 \(sum)\n\(lab.lossDiagnostics())\nA drops:\n\(lab.dropLog(lab.a))\nB drops:\n\(lab.dropLog(lab.b))" }
        XCTAssertEqual(sum["lost_packets"] as? Double, 0, "no packet lost at the rekey; \(diagnostics())")
        // Every packet A sealed with either SA was accepted by B with the same SA, and B
        // dropped nothing: no loss at the switch in either agent.
        // The statuses are snapshots a second apart at most: the TCP control connection's last
        // segments may pass between them, so compare until both sides settle (up to 3 rounds).
        var sender = try lab.status(lab.a)
        var status = try lab.status(lab.b)
        func settled() -> Bool {
            status.associations.allSatisfy { sa in sender.associations.first { $0.spiOut == sa.spiIn }?.counters.packetsOut == sa.counters.packetsIn }
        }
        for _ in 0..<2 where !settled() {
            sender = try lab.status(lab.a)
            status = try lab.status(lab.b)
        }
        XCTAssertEqual(status.associations.count, 2, diagnostics())
        XCTAssertTrue(status.associations.allSatisfy { $0.counters.packetsIn > 0 }, "both epochs carried traffic: \(status.associations.map(\.counters))")
        for sa in status.associations {
            let sent = sender.associations.first { $0.spiOut == sa.spiIn }?.counters.packetsOut
            XCTAssertEqual(sent, sa.counters.packetsIn, "SA \(sa.spiIn): every packet A sent arrived; \(diagnostics())")
        }
        XCTAssertEqual(status.totals.replaysDropped + status.totals.authenticationFailures + status.totals.noAssociationDropped, 0,
                       diagnostics())

        // After the link's authorization expires the SAs are removed and nothing passes.
        let remaining = expiry.timeIntervalSinceNow + 0.5
        if remaining > 0 { usleep(UInt32(remaining * 1_000_000)) }
        let expired = try lab.status(lab.b, after: Date())
        XCTAssertEqual(expired.associations.count, 0, "SAs removed at expiry")
        let packetsBefore = expired.totals.packetsIn
        try lab.sendUDP(from: lab.a, to: lab.b.hit.description, port: 40000, text: "after-expiry")
        let later = try lab.status(lab.b, after: Date().addingTimeInterval(0.2))
        XCTAssertEqual(later.totals.packetsIn, packetsBefore, "traffic stops after expiry")
        XCTAssertTrue(lab.agentLog(lab.a).contains("SAs removed at expiry"))
    }

    func testAnInvalidInputIsRefusedAndTheLastGoodOneKeepsWorking() throws {
        let epoch = NamespaceLab.epoch(0, start: Self.now.addingTimeInterval(-60), end: Self.now.addingTimeInterval(3600))
        let lab = try lab([epoch])
        defer { lab.close() }
        // B's new input has keys wrapped to another host's key: refused as a whole.
        var replacement = NamespaceLab.epoch(1, start: Self.now.addingTimeInterval(-60), end: Self.now.addingTimeInterval(3600))
        replacement.spiAB = epoch.spiAB
        try lab.writeInputs([replacement], wrapBTo: NamespaceLab.hostKeys[2].publicKey)
        try lab.waitFor("B to refuse the input", seconds: 5) { lab.agentLog(lab.b).contains("input refused") }
        try lab.writeInputs([epoch])  // A back to the old keys; B never left them
        usleep(1_200_000)
        let before = try lab.status(lab.b).totals.packetsIn
        try lab.sendUDP(from: lab.a, to: lab.b.hit.description, port: 40000, text: "still-works")
        let after = try lab.status(lab.b, after: Date().addingTimeInterval(0.2))
        XCTAssertEqual(after.totals.packetsIn, before + 1, "the previous SAs keep working")
        XCTAssertEqual(after.associations.map(\.spiIn), [String(format: "0x%x", epoch.spiAB)])
    }
}
