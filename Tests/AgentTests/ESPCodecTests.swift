import Agent
import Foundation
import XCTest

final class ESPCodecTests: XCTestCase {
    static func hex(_ text: String) -> [UInt8] {
        var bytes = [UInt8]()
        var iterator = text.filter { !$0.isWhitespace }.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            bytes.append(UInt8(String([high, low]), radix: 16)!)
        }
        return bytes
    }

    /// GCM specification test case 4 (McGrew and Viega), read as RFC 4106: the 96-bit
    /// IV cafebabefacedbaddecaf888 is the salt cafebabe followed by the explicit IV.
    func testGCMKnownAnswerWithRFC4106NonceSplit() throws {
        let key = Self.hex("feffe9928665731c6d6a8f9467308308")
        let plaintext = Self.hex("""
            d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
            1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39
            """)
        let aad = Self.hex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let (ciphertext, tag) = try ESPCodec.gcmSeal(key: key, salt: Self.hex("cafebabe"), iv: Self.hex("facedbaddecaf888"),
                                                     aad: aad, plaintext: plaintext)
        XCTAssertEqual(ciphertext, Self.hex("""
            42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e
            21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091
            """))
        XCTAssertEqual(tag, Self.hex("5bc94fbc3221a5db94fae95ae7121a47"))
    }

    /// RFC 4106 section 5: SPI || seq (8 bytes), or SPI || seq high || seq low (12 bytes).
    func testAdditionalDataLayout() {
        XCTAssertEqual(ESPCodec.additionalData(spi: 0x0000_4321, sequence: 0x8765_4321, extended: false),
                       Self.hex("0000432187654321"))
        XCTAssertEqual(ESPCodec.additionalData(spi: 0x0000_4321, sequence: 0x1_8765_4321, extended: true),
                       Self.hex("00004321 00000001 87654321"))
    }

    func testSealLayoutAndRoundTrip() throws {
        let material = Array(0..<20).map(UInt8.init)
        let keys = try ESPCodec.Keys(suite: .aes128GCM, material: material)
        let payload = Array("hello, BEET".utf8)  // 11 bytes + 2 trailer: 3 bytes of padding
        let sequence: UInt64 = 0x1_0000_0005
        let packet = try ESPCodec.seal(payload: payload, nextHeader: 17, spi: 0x1234, sequence: sequence, extended: true, keys: keys)
        XCTAssertEqual(Array(packet[0..<4]), [0, 0, 0x12, 0x34])
        XCTAssertEqual(Array(packet[4..<8]), [0, 0, 0, 5], "only the low 32 bits travel")
        XCTAssertEqual(Array(packet[8..<16]), [0, 0, 0, 1, 0, 0, 0, 5], "the IV is the 64-bit sequence number")
        XCTAssertEqual(packet.count, 16 + 11 + 3 + 2 + 16)
        XCTAssertEqual((packet.count - 16 - 16) % 4, 0)
        let header = try ESPCodec.header(of: packet)
        XCTAssertEqual(header.spi, 0x1234)
        let opened = try ESPCodec.open(packet: packet, spi: 0x1234, sequence: sequence, extended: true, keys: keys)
        XCTAssertEqual(opened.payload, payload)
        XCTAssertEqual(opened.nextHeader, 17)

        // The high half of the sequence number is authenticated although it is not sent.
        XCTAssertThrowsError(try ESPCodec.open(packet: packet, spi: 0x1234, sequence: 5, extended: true, keys: keys)) {
            XCTAssertEqual(($0 as? AgentError)?.code, .authenticationFailed)
        }
        var tampered = packet
        tampered[20] ^= 1
        XCTAssertThrowsError(try ESPCodec.open(packet: tampered, spi: 0x1234, sequence: sequence, extended: true, keys: keys))
        let other = try ESPCodec.Keys(suite: .aes128GCM, material: Array(repeating: 7, count: 20))
        XCTAssertThrowsError(try ESPCodec.open(packet: packet, spi: 0x1234, sequence: sequence, extended: true, keys: other))
    }

    func testAES256AndKeyLengths() throws {
        let keys = try ESPCodec.Keys(suite: .aes256GCM, material: Array(repeating: 1, count: 36))
        for length in 0..<9 {
            let payload = [UInt8](repeating: 0xab, count: length)
            let packet = try ESPCodec.seal(payload: payload, nextHeader: 6, spi: 300, sequence: 1, extended: false, keys: keys)
            XCTAssertEqual(try ESPCodec.open(packet: packet, spi: 300, sequence: 1, extended: false, keys: keys).payload, payload)
        }
        XCTAssertThrowsError(try ESPCodec.Keys(suite: .aes128GCM, material: Array(repeating: 1, count: 16))) {
            XCTAssertEqual(($0 as? AgentError)?.code, .invalidAssociation)
        }
        XCTAssertThrowsError(try ESPCodec.header(of: [UInt8](repeating: 0, count: 20)))
    }

    func testBEETHeaderRoundTrip() throws {
        let a = try HIT("2001:21::1"), b = try HIT("2001:21::2")
        let payload: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        let packet = BEETPacket.header(source: a, destination: b, nextHeader: 17, payloadLength: payload.count) + payload
        let inner = packet.withUnsafeBytes { BEETPacket.parse($0) }
        XCTAssertEqual(inner?.source, a)
        XCTAssertEqual(inner?.destination, b)
        XCTAssertEqual(inner?.nextHeader, 17)
        XCTAssertEqual(a.description, "2001:21::1")
        XCTAssertNil([UInt8](repeating: 0x45, count: 60).withUnsafeBytes { BEETPacket.parse($0) })
    }
}
