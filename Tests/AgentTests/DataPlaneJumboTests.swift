import Agent
import Foundation
import TestSupport
import XCTest

/// The data plane on a jumbo link (veth MTU 65535, `vpxi-agent run --mtu 65535`): the TUN
/// MTU follows, inner TCP segments of about 64 KB travel as single ESP datagrams (no cutting,
/// no coalescing), and a 24 MB stream arrives byte for byte (its SHA-256 on both ends), which
/// checks the payloads sealed and opened where they lie and the checksums completed by the
/// agent (the receiver's kernel trusts them: ESP authenticated each packet). The same stream
/// over a standard link (MTU 1500) checks the receiver's coalesced runs (`TunCoalescer`),
/// written with a partial checksum that the kernel completes without checking the data.
final class DataPlaneJumboTests: XCTestCase {
    func testJumboLinkCarriesAStreamIntact() throws {
        try carryStream(mtu: 65535)
    }

    func testStandardLinkCarriesAStreamIntactThroughCoalescedRuns() throws {
        try carryStream(mtu: 1500)
    }

    private func carryStream(mtu: Int) throws {
        try NamespaceLab.requireRoot()
        let python = try ExternalTool.require("python3", package: "python3")
        let lab = try NamespaceLab()
        defer { lab.close() }
        for h in [lab.a, lab.b] { try NamespaceLab.ip(["-n", h.namespace, "link", "set", "dev", h.veth, "mtu", "\(mtu)"]) }
        try lab.writeInputs([NamespaceLab.epoch(0, start: Date().addingTimeInterval(-60), end: Date().addingTimeInterval(3600))])
        try lab.startAgents(extra: ["--mtu", "\(mtu)"])
        let link = try lab.exec(lab.b, ["ip", "link", "show", "dev", NamespaceLab.tun])
        XCTAssertTrue(link.stdoutText.contains("mtu \(DataPlane.tunMTU(linkMTU: mtu))"), link.stdoutText)

        let port = Int.random(in: 30000..<40000)
        let size = 24 << 20
        let server = """
            import hashlib, socket
            s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("\(lab.b.hit)", \(port))); s.listen(1); s.settimeout(20)
            c, _ = s.accept(); c.settimeout(20); h = hashlib.sha256(); n = 0
            while True:
                d = c.recv(1 << 20)
                if not d: break
                h.update(d); n += len(d)
            print(n, h.hexdigest(), flush=True)
            """
        let client = """
            import hashlib, random, socket, time
            data = random.Random(7).randbytes(\(size))
            for attempt in range(50):
                try:
                    c = socket.create_connection(("\(lab.b.hit)", \(port)), timeout=20); break
                except OSError:
                    time.sleep(0.1)
            c.sendall(data); c.close()
            print(len(data), hashlib.sha256(data).hexdigest(), flush=True)
            """
        let log = lab.directory.appendingPathComponent("jumbo-server.log").path
        let receiver = try lab.spawn(lab.b, [python, "-c", server], log: log)
        let sent = try lab.exec(lab.a, [python, "-c", client])
        XCTAssertEqual(sent.status, 0, sent.stderrText)
        receiver.waitUntilExit()
        let received = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        XCTAssertEqual(received.trimmingCharacters(in: .whitespacesAndNewlines), sent.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines),
                       "the same bytes arrived\n\(lab.agentLog(lab.b))")
        XCTAssertTrue(sent.stdoutText.hasPrefix("\(size) "), sent.stdoutText)

        let status = try lab.status(lab.b, after: Date().addingTimeInterval(0.3))
        XCTAssertEqual(status.totals.authenticationFailures, 0)
        XCTAssertEqual(status.totals.malformedDropped, 0)
        let counters = try XCTUnwrap(status.associations.first?.counters)
        XCTAssertGreaterThan(counters.bytesIn, UInt64(size))
        if mtu > 9000 {
            XCTAssertGreaterThan(counters.bytesIn / max(counters.packetsIn, 1), 9000,
                                 "jumbo datagrams: \(counters.packetsIn) packets for \(counters.bytesIn) bytes")
        } else {
            XCTAssertLessThanOrEqual(counters.bytesIn / max(counters.packetsIn, 1), UInt64(mtu), "datagrams within the link MTU")
        }
    }
}
