import Agent
import Foundation
import XCTest

/// Sealing a cut TCP segment in two parts (its headers built aside, its data where it lies in
/// the large packet): the same ESP packet as sealing the gathered segment, for every suite and
/// engine; and `TunOffload.forEachSegment` hands over exactly the segments `forEachPacket`
/// builds, with the data inside the original packet (not copied).
final class SegmentSealTests: XCTestCase {
    func testTwoPartSealMatchesTheGatheredSegment() throws {
        var generator = SystemRandomNumberGenerator()
        for suite in ESPSuite.allCases {
            for engine in ESPCodec.Keys.Engine.allCases {
                let material = (0..<suite.keyMaterialLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let keys = try ESPCodec.Keys(suite: suite, material: material, engine: engine)
                for (headLength, bodyLength) in [(20, 0), (20, 1), (32, 1408), (32, 1411), (0, 9), (60, 8900), (32, 65_000)] {
                    let head = (0..<headLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
                    let body = (0..<bodyLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
                    let sequence = UInt64.random(in: 1...UInt64.max, using: &generator)
                    let context = "\(suite) \(engine) \(headLength)+\(bodyLength)"
                    var output = [UInt8](repeating: 0, count: ESPCodec.sealedLength(payload: headLength + bodyLength, suite: suite))
                    let sealed = try head.withUnsafeBytes { head in
                        try body.withUnsafeBytes { body in
                            try output.withUnsafeMutableBytes { output in
                                try ESPCodec.seal(head: head, body: body, nextHeader: 6, spi: 0x5151, sequence: sequence, extended: true,
                                                  keys: keys, into: output)
                            }
                        }
                    }
                    XCTAssertEqual(sealed, output.count, context)
                    if suite.isAEAD {  // the CBC suite's IV is random: compared by opening only
                        let expected = try ESPCodec.seal(payload: head + body, nextHeader: 6, spi: 0x5151, sequence: sequence,
                                                         extended: true, keys: keys)
                        XCTAssertEqual(output, expected, context)
                    }
                    let opened = try ESPCodec.open(packet: output, spi: 0x5151, sequence: sequence, extended: true, keys: keys)
                    XCTAssertEqual(opened.payload, head + body, context)
                    XCTAssertEqual(opened.nextHeader, 6, context)
                }
            }
        }
    }

    func testForEachSegmentGivesForEachPacketsSegmentsWithoutCopyingTheData() throws {
        let source = try HIT("2001:21::1"), destination = try HIT("2001:21::2")
        let data = (0..<(1400 * 5 + 77)).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) }
        var tcp: [UInt8] = [0x30, 0x39, 0x00, 0x50, 0xff, 0xff, 0xf0, 0x00, 0, 0, 0, 1, 0x50, 0x18, 0x01, 0x00, 0, 0, 0, 0]
        tcp[12] = 0x80  // a 32-byte header
        tcp += [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]
        let upper = tcp + data
        let packet = BEETPacket.header(source: source, destination: destination, nextHeader: 6, payloadLength: upper.count) + upper
        let header = TunOffload.Header(flags: TunOffload.Header.needsChecksum, gsoType: TunOffload.Header.gsoTCPv6, gsoSize: 1400,
                                       checksumStart: 40, checksumOffset: 16)
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
        defer { scratch.deallocate() }
        var gathered: [[UInt8]] = []
        var copy = packet
        XCTAssertTrue(copy.withUnsafeMutableBytes { raw in TunOffload.forEachPacket(header, raw, scratch: scratch) { gathered.append(Array($0)) } })
        var parts: [[UInt8]] = []
        var offsets: [Int] = []
        XCTAssertTrue(packet.withUnsafeBytes { raw in
            TunOffload.forEachSegment(header, raw, headers: scratch) { headers, data in
                parts.append(Array(headers) + Array(data))
                offsets.append(data.baseAddress! - raw.baseAddress!)
            }
        })
        XCTAssertEqual(parts, gathered)
        XCTAssertEqual(parts.count, 6)
        XCTAssertEqual(offsets, (0..<6).map { 72 + 1400 * $0 }, "each segment's data is where it lies in the request")
        for segment in parts {
            XCTAssertTrue(segment.withUnsafeBytes { TunOffload.checksumVerifies($0) })
        }
        XCTAssertFalse(packet.withUnsafeBytes { raw in
            TunOffload.forEachSegment(TunOffload.Header(), raw, headers: scratch) { _, _ in XCTFail("not a segmentation request") }
        })
    }
}
