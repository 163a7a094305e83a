import Agent
import XCTest

/// The TUN offload's checksum (summed 32 bytes at a time in four accumulators) against a
/// plain RFC 1071 sum of 16-bit big-endian words, over random packets of every length class.
final class ChecksumPropertyTests: XCTestCase {
    /// RFC 1071 over the IPv6 pseudo-header (RFC 8200 section 8.1) and the upper layer, word by word.
    private func referenceChecksum(_ packet: [UInt8]) -> UInt16 {
        let upper = Array(packet[40...])
        var words: [UInt8] = Array(packet[8..<40])
        words += withUnsafeBytes(of: UInt32(upper.count).bigEndian, Array.init)
        words += [0, 0, 0, packet[6]]
        words += upper
        if words.count % 2 == 1 { words.append(0) }
        var sum: UInt32 = 0
        for index in stride(from: 0, to: words.count, by: 2) {
            sum += UInt32(words[index]) << 8 | UInt32(words[index + 1])
            sum = (sum & 0xFFFF) + (sum >> 16)
        }
        return ~UInt16(sum)
    }

    func testFastSumAgreesWithRFC1071() {
        var generator = SystemRandomNumberGenerator()
        var lengths = Array(0..<200) + [1000, 1399, 1400, 1452, 8952, 9000, 32_767, 65_000, 65_495]
        lengths += (0..<100).map { _ in Int.random(in: 200...9100, using: &generator) }
        for (round, length) in lengths.enumerated() {
            let nextHeader: UInt8 = round % 2 == 0 ? 6 : 17
            let checksumAt = nextHeader == 6 ? 40 + 16 : 40 + 6
            var packet = (0..<(40 + max(length, 20))).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if round % 7 == 0 { for index in 40..<packet.count { packet[index] = 0xFF } }  // carries everywhere
            packet[0] = 0x60
            packet[4] = UInt8((packet.count - 40) >> 8)
            packet[5] = UInt8((packet.count - 40) & 0xFF)
            packet[6] = nextHeader
            packet[checksumAt] = 0
            packet[checksumAt + 1] = 0
            let checksum = referenceChecksum(packet)
            packet[checksumAt] = UInt8(checksum >> 8)
            packet[checksumAt + 1] = UInt8(checksum & 0xFF)
            XCTAssertTrue(packet.withUnsafeBytes { TunOffload.checksumVerifies($0) }, "length \(packet.count): the reference checksum verifies")
            let flip = Int.random(in: 40..<packet.count, using: &generator)
            packet[flip] ^= 0x01
            XCTAssertFalse(packet.withUnsafeBytes { TunOffload.checksumVerifies($0) }, "length \(packet.count): byte \(flip) changed")
        }
    }
}
