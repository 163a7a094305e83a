import Agent
import Foundation
import TestSupport
import XCTest

/// The data plane with the AES-128-CBC/HMAC-SHA-256-128 suite and over IPv6 outer
/// locators, between two namespaces each running `vpxi-agent run`.
final class DataPlaneSuiteTests: XCTestCase {
    private static var now: Date { Date() }

    private func lab(_ epoch: NamespaceLab.Epoch, outerIPv6: Bool = false) throws -> NamespaceLab {
        try NamespaceLab.requireRoot()
        let lab = try NamespaceLab(outerIPv6: outerIPv6)
        do {
            try lab.writeInputs([epoch])
            try lab.startAgents()
        } catch {
            lab.close()
            throw error
        }
        return lab
    }

    private func inject(_ bytes: [UInt8], from socket: Int32, to address: SocketAddress) {
        _ = bytes.withUnsafeBytes { raw in address.withSockaddr { sendto(socket, raw.baseAddress, raw.count, 0, $0, $1) } }
    }

    /// TCP with 64-bit sequence numbers (the high half in the ICV only), then, in the 32-bit
    /// mode tshark understands, a probe that tshark decrypts and authenticates with the
    /// schedule's keys, and a replayed and a forged copy of it that the receiver drops.
    func testCBCSuiteCarriesTrafficTsharkDecryptsAndChecksItAndReplaysAreDropped() throws {
        _ = try ExternalTool.require("tcpdump", package: "tcpdump")
        let tshark = try ExternalTool.require("tshark", package: "tshark")
        let suite = ESPSuite.aes128CBCHMACSHA256
        do {
            let lab = try lab(NamespaceLab.epoch(0, start: Self.now.addingTimeInterval(-60), end: Self.now.addingTimeInterval(3600), suite: suite))
            defer { lab.close() }
            XCTAssertGreaterThan(try lab.tcpBytesReceived(), 100_000, "TCP between the HITs over AES-CBC/HMAC-SHA-256 with ESN")
            let status = try lab.status(lab.b)
            XCTAssertEqual(status.associations.first?.suite, suite)
            XCTAssertEqual(status.totals.authenticationFailures, 0)
        }

        let epoch = NamespaceLab.epoch(0, start: Self.now.addingTimeInterval(-60), end: Self.now.addingTimeInterval(3600), esn: false, suite: suite)
        let lab = try lab(epoch)
        defer { lab.close() }
        let probe = "spkic-cbc-probe"
        let capture = try lab.captureProbe(probe, file: "cbc.pcap", filter: ["udp", "and", "dst", "port", "10500"])

        let hex = { (bytes: ArraySlice<UInt8>) in "0x" + bytes.map { String(format: "%02x", $0) }.joined() }
        let key = epoch.keyAB
        let record = "uat:esp_sa:\"IPv4\",\"\(lab.a.address)\",\"\(lab.b.address)\",\"\(String(format: "0x%08x", epoch.spiAB))\","
            + "\"\(suite.wiresharkName)\",\"\(hex(key[0..<16]))\",\"\(suite.wiresharkAuthenticationName)\",\"\(hex(key[16...]))\""
        let result = try ExternalTool.run(tshark, [
            "-r", capture, "-n", "-d", "udp.port==10500,udpencap",
            "-o", "esp.enable_encryption_decode:TRUE", "-o", "esp.enable_authentication_check:TRUE", "-o", record,
            "-T", "fields", "-e", "esp.spi", "-e", "esp.icv_good", "-e", "udp.dstport", "-e", "data.data",
        ])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let probeHex = probe.utf8.map { String(format: "%02x", $0) }.joined()
        let line = result.stdoutText.split(separator: "\n").first { $0.contains(probeHex) }
        XCTAssertNotNil(line, "tshark decrypts the inner payload; got:\n\(result.stdoutText)\n\(result.stderrText)")
        XCTAssertTrue(line?.contains("40000") == true, "the inner UDP header is decrypted too")
        XCTAssertTrue(line.map { $0.split(separator: "\t").contains { $0 == "1" || $0 == "True" } } == true,
                      "tshark finds the HMAC-SHA-256-128 ICV good: \(line ?? "")")

        guard let original = try PcapReader.udpPayloads(path: capture).first(where: { $0.count > 16 }) else {
            return XCTFail("no ESP packet captured")
        }
        let before = try lab.status(lab.b)
        XCTAssertEqual(before.totals.packetsIn, 1)
        let socket = try lab.socket(in: lab.a)
        defer { close(socket) }
        let peer = try Locator(address: lab.b.address).socketAddress
        inject(original, from: socket, to: peer)  // replay
        var forged = original
        forged[7] = forged[7] &+ 5  // a fresh sequence number: the ICV no longer verifies
        inject(forged, from: socket, to: peer)
        var flipped = original
        flipped[7] = flipped[7] &+ 6
        flipped[30] ^= 1  // and a changed ciphertext
        inject(flipped, from: socket, to: peer)
        let after = try lab.status(lab.b, after: Date().addingTimeInterval(0.3))
        XCTAssertEqual(after.totals.packetsIn, 1, "nothing injected was accepted")
        XCTAssertEqual(after.totals.replaysDropped, 1)
        XCTAssertEqual(after.totals.authenticationFailures, 2)
    }

    /// The outer network is IPv6 only: TCP and UDP between the HITs work, and the veth
    /// carries the tunnel as ESP in UDP over IPv6.
    func testIPv6OuterLocators() throws {
        let tcpdump = try ExternalTool.require("tcpdump", package: "tcpdump")
        let tshark = try ExternalTool.require("tshark", package: "tshark")
        let lab = try lab(NamespaceLab.epoch(0, start: Self.now.addingTimeInterval(-60), end: Self.now.addingTimeInterval(3600)), outerIPv6: true)
        defer { lab.close() }
        XCTAssertTrue(lab.a.address.contains(":"))
        let capture = lab.directory.appendingPathComponent("ipv6.pcap").path
        let dump = try lab.spawn(lab.a, [tcpdump, "-i", lab.a.veth, "-Z", "root", "-w", capture, "-U", "-n", "udp"],
                                 log: lab.directory.appendingPathComponent("tcpdump.log").path)
        try lab.waitForCapture(log: lab.directory.appendingPathComponent("tcpdump.log").path)
        XCTAssertGreaterThan(try lab.tcpBytesReceived(), 100_000, "TCP between the HITs over IPv6 locators")
        let probe = "spkic-ipv6-probe"
        try lab.sendUDP(from: lab.a, to: lab.b.hit.description, port: 40000, text: probe)
        usleep(300_000)
        dump.interrupt()
        dump.waitUntilExit()

        let frames = try ExternalTool.run(tshark, ["-r", capture, "-n", "-d", "udp.port==10500,udpencap", "-T", "fields",
                                                   "-e", "frame.protocols", "-e", "ipv6.src", "-e", "ipv6.dst"])
        let lines = frames.stdoutText.split(separator: "\n").map(String.init)
        XCTAssertGreaterThan(lines.count, 50, frames.stderrText)
        let notESP = lines.filter { !$0.hasPrefix("eth:ethertype:ipv6:udp:udpencap:esp\t") }
        XCTAssertEqual(notESP.count, 0, "only ESP in UDP over IPv6 on the veth; found \(Set(notESP))")
        XCTAssertTrue(lines.allSatisfy { $0.contains(lab.a.address) && $0.contains(lab.b.address) }, "between the two locators")

        let status = try lab.status(lab.b, after: Date())
        XCTAssertGreaterThan(status.totals.packetsIn, 50)
        XCTAssertEqual(status.totals.authenticationFailures, 0)
        XCTAssertEqual(status.associations.first?.peer, "[\(lab.a.address)]:10500")
    }
}
