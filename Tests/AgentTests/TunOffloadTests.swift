import Agent
import Foundation
import TestSupport
import XCTest

/// TCP segmentation and checksum completion for the offloading TUN device, checked by
/// tshark (checksum validation and sequence analysis) on a pcap of the result.
final class TunOffloadTests: XCTestCase {
    private let source = try! HIT("2001:21::1"), destination = try! HIT("2001:21::2")

    /// An IPv6 packet from `source` to `destination` with `upper` as payload of protocol `nextHeader`.
    private func ipv6(_ nextHeader: UInt8, _ upper: [UInt8]) -> [UInt8] {
        BEETPacket.header(source: source, destination: destination, nextHeader: nextHeader, payloadLength: upper.count) + upper
    }

    /// The folded pseudo-header sum the kernel leaves in the checksum field (CHECKSUM_PARTIAL),
    /// computed here the plain way: big-endian 16-bit words.
    private func partialPseudoHeader(length: Int, nextHeader: UInt8) -> [UInt8] {
        var words = stride(from: 0, to: 32, by: 2).map { UInt32((source.bytes + destination.bytes)[$0]) << 8 | UInt32((source.bytes + destination.bytes)[$0 + 1]) }
        words += [UInt32(length >> 16), UInt32(length & 0xFFFF), 0, UInt32(nextHeader)]
        var sum = words.reduce(0, +)
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return [UInt8(sum >> 8), UInt8(sum & 0xFF)]
    }

    /// Writes IPv6 packets as a pcap (LINKTYPE_IPV6) and returns tshark's fields for them.
    private func tshark(_ packets: [[UInt8]], _ fields: [String]) throws -> [[String]] {
        let tshark = try ExternalTool.require("tshark", package: "tshark")
        var file: [UInt8] = [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0] + [UInt8](repeating: 0, count: 8) + [0xff, 0xff, 0, 0, 229, 0, 0, 0]
        func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        for (index, packet) in packets.enumerated() {
            file += le32(1_700_000_000 + index) + le32(0) + le32(packet.count) + le32(packet.count) + packet
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("offload-\(UUID().uuidString).pcap").path
        try Data(file).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try ExternalTool.run(tshark, ["-r", path, "-n", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                                                   "-o", "tcp.relative_sequence_numbers:FALSE", "-T", "fields"] + fields.flatMap { ["-e", $0] })
        XCTAssertEqual(result.status, 0, result.stderrText)
        return result.stdoutText.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    func testLargeTCPSegmentIsCutIntoValidSegments() throws {
        let mss = 1000
        let data = (0..<(mss * 7 + 345)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        var tcp: [UInt8] = [0x30, 0x39, 0x00, 0x50, 0xff, 0xff, 0xfc, 0x00, 0, 0, 0, 1, 0x80, 0x80 | 0x18 | 0x01, 0x01, 0x00, 0, 0, 0, 0]
        tcp += [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]  // NOP NOP timestamps: a 32-byte header
        let length = tcp.count + data.count
        tcp.replaceSubrange(16..<18, with: partialPseudoHeader(length: length, nextHeader: 6))
        var packet = ipv6(6, tcp + data)
        let header = TunOffload.Header(flags: TunOffload.Header.needsChecksum, gsoType: TunOffload.Header.gsoTCPv6, gsoSize: mss,
                                       checksumStart: 40, checksumOffset: 16)
        var segments: [[UInt8]] = []
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
        defer { scratch.deallocate() }
        let handled = packet.withUnsafeMutableBytes { raw in
            TunOffload.forEachPacket(header, raw, scratch: scratch) { segments.append(Array($0)) }
        }
        XCTAssertTrue(handled)
        XCTAssertEqual(segments.count, 8)
        XCTAssertEqual(segments.flatMap { Array($0[72...]) }, data, "the payload, in order, nothing lost")
        let rows = try tshark(segments, ["tcp.seq_raw", "tcp.len", "tcp.checksum.status", "tcp.flags.fin", "tcp.flags.push",
                                         "tcp.flags.cwr", "ipv6.plen", "tcp.options.timestamp.tsval"])
        XCTAssertEqual(rows.count, 8)
        for (index, row) in rows.enumerated() {
            let last = index == 7
            XCTAssertEqual(row[0], "\(UInt32(0xffff_fc00) &+ UInt32(index * mss))", "sequence numbers wrap and advance by the MSS")
            XCTAssertEqual(row[1], "\(last ? 345 : mss)")
            XCTAssertEqual(row[2], "1", "tshark finds the checksum of segment \(index) good")
            XCTAssertEqual(row[3] == "1" || row[3] == "True", last, "FIN on the last segment only")
            XCTAssertEqual(row[4] == "1" || row[4] == "True", last, "PSH on the last segment only")
            XCTAssertEqual(row[5] == "1" || row[5] == "True", index == 0, "CWR on the first segment only")
            XCTAssertEqual(row[6], "\(32 + (last ? 345 : mss))")
            XCTAssertEqual(row[7], "1", "options copied")
        }
    }

    func testPartialChecksumsAreCompleted() throws {
        var udp: [UInt8] = [0x9c, 0x40, 0x00, 0x35, 0, 0, 0, 0] + Array("an odd-length datagram".utf8)
        udp[4] = UInt8(udp.count >> 8)
        udp[5] = UInt8(udp.count & 0xFF)
        udp.replaceSubrange(6..<8, with: partialPseudoHeader(length: udp.count, nextHeader: 17))
        var packet = ipv6(17, udp)
        var out: [[UInt8]] = []
        let header = TunOffload.Header(flags: TunOffload.Header.needsChecksum, checksumStart: 40, checksumOffset: 6)
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 16)
        defer { scratch.deallocate() }
        packet.withUnsafeMutableBytes { raw in _ = TunOffload.forEachPacket(header, raw, scratch: scratch) { out.append(Array($0)) } }
        XCTAssertEqual(out.count, 1)
        XCTAssertEqual(try tshark(out, ["udp.checksum.status"]).first, ["1"], "tshark finds the UDP checksum good")

        // No flags: passed through untouched; an unknown segmentation request: refused.
        let plain = ipv6(59, [1, 2, 3])
        var copy = plain
        copy.withUnsafeMutableBytes { raw in _ = TunOffload.forEachPacket(TunOffload.Header(), raw, scratch: scratch) { XCTAssertEqual(Array($0), plain) } }
        let refused = copy.withUnsafeMutableBytes { raw in
            TunOffload.forEachPacket(TunOffload.Header(gsoType: 3, gsoSize: 100), raw, scratch: scratch) { _ in XCTFail("UDP fragmentation offload is not asked for") }
        }
        XCTAssertFalse(refused)
    }
}
