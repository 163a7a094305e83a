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

/// Receive-side coalescing: segments joined and cut again give back the same segments.
final class TunCoalescerTests: XCTestCase {
    private let a = try! HIT("2001:21::1"), b = try! HIT("2001:21::2")

    private func segment(seq: UInt32, data: [UInt8], flags: UInt8 = 0x10, port: UInt16 = 80, tsval: UInt8 = 1) -> [UInt8] {
        var tcp: [UInt8] = [0x30, 0x39, UInt8(port >> 8), UInt8(port & 0xFF)]
        tcp += withUnsafeBytes(of: seq.bigEndian, Array.init) + [0, 0, 0, 7, 0x80, flags, 0x01, 0x00, 0x12, 0x34, 0, 0]
        tcp += [1, 1, 8, 10, 0, 0, 0, tsval, 0, 0, 0, 2]
        return BEETPacket.header(source: a, destination: b, nextHeader: 6, payloadLength: tcp.count + data.count) + tcp + data
    }

    private func run(_ packets: [[UInt8]]) -> [(header: TunOffload.Header, packet: [UInt8])] {
        var written: [(TunOffload.Header, [UInt8])] = []
        let coalescer = TunCoalescer { head, tail in
            let raw = Array(head) + Array(tail)
            written.append((raw.withUnsafeBytes { TunOffload.Header(UnsafeRawBufferPointer(rebasing: $0[0..<10])) }, Array(raw[10...])))
        }
        // Alternately whole and in two parts (header, payload from elsewhere): the same writes.
        for (index, packet) in packets.enumerated() {
            if index % 2 == 0 || packet.count < 40 {
                packet.withUnsafeBytes { coalescer.add($0) }
            } else {
                let header = Array(packet[..<40]), payload = Array(packet[40...])
                header.withUnsafeBytes { header in payload.withUnsafeBytes { coalescer.add(header: header, payload: $0) } }
            }
        }
        coalescer.flush()
        return written
    }

    func testRunsAreJoinedAndCutBackExactly() throws {
        let data = (0..<9).map { index in (0..<1000).map { UInt8(truncatingIfNeeded: $0 &+ index &* 13) } }
        var segments = (0..<8).map { segment(seq: UInt32(0xffff_f000) &+ UInt32($0 * 1000), data: data[$0]) }
        segments.append(segment(seq: UInt32(0xffff_f000) &+ 8000, data: Array(data[8].prefix(300)), flags: 0x18))  // short, PSH
        let written = run(segments)
        XCTAssertEqual(written.count, 1, "one write for the run")
        let (header, joined) = try XCTUnwrap(written.first)
        XCTAssertEqual(header.gsoType, TunOffload.Header.gsoTCPv6)
        XCTAssertEqual(header.gsoSize, 1000)
        XCTAssertEqual(header.headerLength, 72)
        XCTAssertEqual(joined.count, 72 + 8300)
        XCTAssertEqual(Int(joined[4]) << 8 | Int(joined[5]), 32 + 8300)

        // Cut again (as the kernel will), the segments are the originals, checksums included.
        var cut: [[UInt8]] = []
        var copy = joined
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
        defer { scratch.deallocate() }
        copy.withUnsafeMutableBytes { raw in _ = TunOffload.forEachPacket(header, raw, scratch: scratch) { cut.append(Array($0)) } }
        XCTAssertEqual(cut.count, segments.count)
        for (index, original) in segments.enumerated() {
            XCTAssertEqual(Array(cut[index][..<56]) + Array(cut[index][58...]), Array(original[..<56]) + Array(original[58...]),
                           "segment \(index), but for its checksum")
            XCTAssertTrue(cut[index].withUnsafeBytes { TunOffload.checksumVerifies($0) }, "segment \(index): checksum")
        }
    }

    func testWhatMayNotBeJoinedGoesAsItIs() {
        let data = [UInt8](repeating: 7, count: 500)
        let cases: [[[UInt8]]] = [
            [segment(seq: 1, data: data), segment(seq: 600, data: data)],  // a gap
            [segment(seq: 1, data: data), segment(seq: 501, data: data, port: 81)],  // another flow
            [segment(seq: 1, data: data), segment(seq: 501, data: data, tsval: 2)],  // other options
            [segment(seq: 1, data: data, flags: 0x18), segment(seq: 501, data: data)],  // after PSH
            [segment(seq: 1, data: Array(data.prefix(100))), segment(seq: 101, data: data)],  // after a short one
            [segment(seq: 1, data: data, flags: 0x11), segment(seq: 501, data: data)],  // FIN
            [segment(seq: 1, data: []), segment(seq: 1, data: [])],  // pure ACKs
        ]
        for (index, packets) in cases.enumerated() {
            let written = run(packets)
            XCTAssertEqual(written.map(\.packet), packets, "case \(index): unchanged, in order")
            XCTAssertTrue(written.allSatisfy { $0.header == TunOffload.Header.authenticated }, "case \(index): plain writes, checksum valid")
        }
        let udp = BEETPacket.header(source: a, destination: b, nextHeader: 17, payloadLength: 4) + [1, 2, 3, 4]
        let mixed = run([segment(seq: 1, data: data), segment(seq: 501, data: data), udp, segment(seq: 1001, data: data)])
        XCTAssertEqual(mixed.count, 3, "the run is written before the UDP packet, order kept")
        XCTAssertEqual(mixed[1].packet, udp)
    }

    /// A segment that leaves no room for a second of its size is written at once, unchanged;
    /// smaller ones after it still join.
    func testLargeSegmentsGoAtOnce() {
        let big = [UInt8](repeating: 3, count: 40_000)
        let small = [UInt8](repeating: 4, count: 1000)
        let packets = [segment(seq: 1, data: big), segment(seq: 40_001, data: big),
                       segment(seq: 80_001, data: small), segment(seq: 81_001, data: small)]
        let written = run(packets)
        XCTAssertEqual(written.count, 3)
        XCTAssertEqual(written[0].packet, packets[0])
        XCTAssertEqual(written[1].packet, packets[1])
        XCTAssertEqual(written[0].header, TunOffload.Header.authenticated)
        XCTAssertEqual(written[2].header.gsoType, TunOffload.Header.gsoTCPv6, "the small ones joined")
        XCTAssertEqual(written[2].packet.count, 40 + 32 + 2000)
    }
}
