import Agent
import XCTest

/// The data plane's copy-saving forms of ESP: sealing a payload where it lies (trailer
/// written after it), and opening to a payload handed over where decryption left it. Both
/// give exactly what the buffer forms give, for every suite and payload length class.
final class ESPInPlaceTests: XCTestCase {
    private func keys(_ suite: ESPSuite) throws -> ESPCodec.Keys {
        try ESPCodec.Keys(suite: suite, material: (0..<suite.keyMaterialLength).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
    }

    func testSealInPlaceMatchesSealAndOpens() throws {
        var generator = SystemRandomNumberGenerator()
        for suite in ESPSuite.allCases {
            let keys = try keys(suite)
            for length in Array(0..<40) + [1399, 1400, 8952, 65_000] {
                let payload = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let sequence = UInt64(length) + 0x1_0000_0000
                let expected = try ESPCodec.seal(payload: payload, nextHeader: 6, spi: 0x4242, sequence: sequence, extended: true, keys: keys)
                // The payload in a buffer with room for the trailer, garbage after it.
                var buffer = payload + [UInt8](repeating: 0xEE, count: ESPCodec.maximumOverhead)
                var output = [UInt8](repeating: 0, count: length + ESPCodec.maximumOverhead + 32)
                let sealed = try buffer.withUnsafeMutableBytes { buffer in
                    try output.withUnsafeMutableBytes { output in
                        try ESPCodec.seal(payloadCount: length, inPlace: buffer, nextHeader: 6, spi: 0x4242, sequence: sequence,
                                          extended: true, keys: keys, into: output)
                    }
                }
                XCTAssertEqual(sealed, expected.count, "\(suite) \(length): length")
                let packet = Array(output[0..<sealed])
                if suite.isAEAD {
                    XCTAssertEqual(packet, expected, "\(suite) \(length): the same packet (the IV is the sequence number)")
                }
                let opened = try ESPCodec.open(packet: packet, spi: 0x4242, sequence: sequence, extended: true, keys: keys)
                XCTAssertEqual(opened.payload, payload, "\(suite) \(length)")
                XCTAssertEqual(opened.nextHeader, 6)
            }
        }
    }

    func testSealInPlaceWithoutRoomCopies() throws {
        let keys = try keys(.aes128GCM)
        let payload = [UInt8](repeating: 9, count: 100)
        var buffer = payload  // no room after the payload: sealed from a copy, the buffer untouched
        var output = [UInt8](repeating: 0, count: 200)
        let sealed = try buffer.withUnsafeMutableBytes { buffer in
            try output.withUnsafeMutableBytes { output in
                try ESPCodec.seal(payloadCount: 100, inPlace: buffer, nextHeader: 17, spi: 7, sequence: 1, extended: false, keys: keys, into: output)
            }
        }
        XCTAssertEqual(buffer, payload)
        XCTAssertEqual(Array(output[0..<sealed]), try ESPCodec.seal(payload: payload, nextHeader: 17, spi: 7, sequence: 1, extended: false, keys: keys))
    }

    func testWithOpenedHandsOverThePayload() throws {
        for suite in ESPSuite.allCases {
            let keys = try keys(suite)
            let payload = (0..<1000).map { UInt8(truncatingIfNeeded: $0) }
            let packet = try ESPCodec.seal(payload: payload, nextHeader: 58, spi: 9, sequence: 3, extended: false, keys: keys)
            var scratch = [UInt8](repeating: 0, count: packet.count)
            let (seen, nextHeader) = try packet.withUnsafeBytes { packet in
                try scratch.withUnsafeMutableBytes { scratch in
                    try ESPCodec.withOpened(packet: packet, spi: 9, sequence: 3, extended: false, keys: keys, scratch: scratch) { ($0.map { $0 }, $1) }
                }
            }
            XCTAssertEqual(seen, payload, "\(suite)")
            XCTAssertEqual(nextHeader, 58)
            var tampered = packet
            tampered[20] ^= 1
            XCTAssertThrowsError(try tampered.withUnsafeBytes { packet in
                try scratch.withUnsafeMutableBytes { scratch in
                    try ESPCodec.withOpened(packet: packet, spi: 9, sequence: 3, extended: false, keys: keys, scratch: scratch) { _, _ in
                        XCTFail("\(suite): a tampered packet reached the body")
                    }
                }
            }) { XCTAssertEqual(($0 as? AgentError)?.code, .authenticationFailed, "\(suite)") }
        }
    }
}
