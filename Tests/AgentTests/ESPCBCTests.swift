import Agent
import Foundation
import TestSupport
import XCTest

/// AES-128-CBC with HMAC-SHA-256-128 (RFC 3602, RFC 4868, RFC 4303 section 2.2.1),
/// checked against published vectors and against OpenSSL computing each part independently.
final class ESPCBCTests: XCTestCase {
    private let hex = ESPCodecTests.hex
    private static func text(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    private let suite = ESPSuite.aes128CBCHMACSHA256
    private let encryptionKey: [UInt8] = (0..<16).map { UInt8($0 * 7 + 1) }
    private let integrityKey: [UInt8] = (0..<32).map { UInt8(truncatingIfNeeded: $0 * 13 + 5) }
    private var keys: ESPCodec.Keys { get throws { try ESPCodec.Keys(suite: suite, material: encryptionKey + integrityKey) } }

    /// RFC 3602 section 4, case 1, and RFC 4868 section 2.7.2.1, AUTH256-1 (the HMAC truncated to 128 bits).
    func testPublishedVectors() throws {
        XCTAssertEqual(try ESPCodec.cbcEncrypt(key: hex("06a9214036b8a15b512e03d534120006"), iv: hex("3dafba429d9eb430b422da802c9fac41"),
                                               plaintext: Array("Single block msg".utf8)),
                       hex("e353779c1079aeb82708942dbe77181a"))
        XCTAssertEqual(ESPCodec.hmacSHA256128(key: [UInt8](repeating: 0x0b, count: 32), message: Array("Hi There".utf8)),
                       hex("198a607eb44bfbc69903a0f1cf2bbdc5"))
    }

    func testSuiteLengthsMatchTheBackEnds() {
        XCTAssertEqual(suite.rawValue, "aes-128-cbc-hmac-sha-256-128", "the name Backends writes in the ESP schedule")
        XCTAssertEqual(suite.keyMaterialLength, 48, "16-byte encryption key, then 32-byte integrity key")
        XCTAssertEqual(suite.headerLength, 24)
        XCTAssertEqual(ESPCodec.sealedLength(payload: 0, suite: suite), 24 + 16 + 16)
        XCTAssertEqual(ESPCodec.sealedLength(payload: 14, suite: suite), 24 + 16 + 16)
        XCTAssertEqual(ESPCodec.sealedLength(payload: 15, suite: suite), 24 + 32 + 16)
        XCTAssertThrowsError(try ESPCodec.Keys(suite: suite, material: Array(repeating: 1, count: 20))) {
            XCTAssertEqual(($0 as? AgentError)?.code, .invalidAssociation)
        }
    }

    /// A packet sealed by the codec, taken apart by OpenSSL: the ICV is HMAC-SHA-256 over
    /// SPI | sequence | IV | ciphertext | sequence high (ESN), truncated; the ciphertext is
    /// AES-128-CBC under the packet's IV of payload | 1, 2, ... | pad length | next header.
    func testSealedPacketCheckedWithOpenSSL() throws {
        let openssl = try ExternalTool.require("openssl", package: "openssl")
        let payload = Array("the inner UDP datagram of a BEET packet".utf8)  // 39 bytes: 7 pad bytes to 48
        let sequence: UInt64 = 0x0000_0003_0000_0009
        let packet = try ESPCodec.seal(payload: payload, nextHeader: 17, spi: 0x4242, sequence: sequence, extended: true, keys: keys)
        XCTAssertEqual(packet.count, 8 + 16 + 48 + 16)
        XCTAssertEqual(Array(packet[0..<8]), [0, 0, 0x42, 0x42, 0, 0, 0, 9], "SPI, then the low 32 bits only")
        let iv = Array(packet[8..<24])
        let ciphertext = Array(packet[24..<72])

        let decrypted = try ExternalTool.run(openssl, ["enc", "-d", "-aes-128-cbc", "-nopad", "-K", Self.text(encryptionKey), "-iv", Self.text(iv)],
                                             input: ciphertext)
        XCTAssertEqual(decrypted.status, 0, decrypted.stderrText)
        XCTAssertEqual(decrypted.stdout, payload + [1, 2, 3, 4, 5, 6, 7, 7, 17])

        let mac = try ExternalTool.run(openssl, ["dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:\(Self.text(integrityKey))", "-r"],
                                       input: Array(packet[0..<72]) + [0, 0, 0, 3])
        XCTAssertEqual(mac.status, 0, mac.stderrText)
        XCTAssertEqual(String(mac.stdoutText.prefix(32)), Self.text(packet[72...]), "ICV with the high sequence bits appended")

        // Two seals of the same payload differ: the IV is random (RFC 3602 section 2.1).
        let again = try ESPCodec.seal(payload: payload, nextHeader: 17, spi: 0x4242, sequence: sequence, extended: true, keys: keys)
        XCTAssertNotEqual(Array(again[8..<24]), iv)
    }

    /// A packet built by OpenSSL alone (32-bit sequence numbers: nothing appended) opens.
    func testPacketBuiltWithOpenSSLOpens() throws {
        let openssl = try ExternalTool.require("openssl", package: "openssl")
        let iv = hex("000102030405060708090a0b0c0d0e0f")
        let plain = Array("ping".utf8) + [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 6]
        let encrypted = try ExternalTool.run(openssl, ["enc", "-aes-128-cbc", "-nopad", "-K", Self.text(encryptionKey), "-iv", Self.text(iv)],
                                             input: plain)
        XCTAssertEqual(encrypted.status, 0, encrypted.stderrText)
        let body: [UInt8] = [0, 0, 0x10, 0x01, 0, 0, 0, 1] + iv + encrypted.stdout
        let mac = try ExternalTool.run(openssl, ["dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:\(Self.text(integrityKey))", "-r"],
                                       input: body)
        let packet = body + hex(String(mac.stdoutText.prefix(32)))
        let opened = try ESPCodec.open(packet: packet, spi: 0x1001, sequence: 1, extended: false, keys: keys)
        XCTAssertEqual(opened.payload, Array("ping".utf8))
        XCTAssertEqual(opened.nextHeader, 6)
    }

    func testTamperingAndTheUnsentSequenceHalfAreAuthenticated() throws {
        let keys = try keys
        let sequence: UInt64 = 0x1_0000_0002
        for length in [0, 1, 13, 14, 15, 16, 17, 1400] {
            let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0) }
            let packet = try ESPCodec.seal(payload: payload, nextHeader: 59, spi: 0x999, sequence: sequence, extended: true, keys: keys)
            XCTAssertEqual((packet.count - 24 - 16) % 16, 0)
            XCTAssertEqual(try ESPCodec.open(packet: packet, spi: 0x999, sequence: sequence, extended: true, keys: keys).payload, payload)
        }
        let packet = try ESPCodec.seal(payload: Array("x".utf8), nextHeader: 17, spi: 0x999, sequence: sequence, extended: true, keys: keys)
        XCTAssertThrowsError(try ESPCodec.open(packet: packet, spi: 0x999, sequence: 2, extended: true, keys: keys)) {
            XCTAssertEqual(($0 as? AgentError)?.code, .authenticationFailed, "the high 32 bits are part of the ICV")
        }
        for position in [0, 5, 10, 30, packet.count - 1] {
            var tampered = packet
            tampered[position] ^= 0x40
            XCTAssertThrowsError(try ESPCodec.open(packet: tampered, spi: 0x999, sequence: sequence, extended: true, keys: keys)) {
                XCTAssertEqual(($0 as? AgentError)?.code, .authenticationFailed, "byte \(position)")
            }
        }
        let truncated = Array(packet.dropLast(3))
        XCTAssertThrowsError(try ESPCodec.open(packet: truncated, spi: 0x999, sequence: sequence, extended: true, keys: keys)) {
            XCTAssertEqual(($0 as? AgentError)?.code, .malformedPacket)
        }
        let otherIntegrity = try ESPCodec.Keys(suite: suite, material: encryptionKey + [UInt8](repeating: 9, count: 32))
        XCTAssertThrowsError(try ESPCodec.open(packet: packet, spi: 0x999, sequence: sequence, extended: true, keys: otherIntegrity))
    }
}

/// Properties of the buffer forms, over every suite and many payload sizes.
final class ESPCodecPropertyTests: XCTestCase {
    func testEverySuiteRoundTripsAndSizesMatch() throws {
        var generator = SystemRandomNumberGenerator()
        for suite in ESPSuite.allCases {
            let keys = try ESPCodec.Keys(suite: suite, material: (0..<suite.keyMaterialLength).map { _ in UInt8.random(in: 0...255, using: &generator) })
            for _ in 0..<60 {
                let length = Int.random(in: 0...1500, using: &generator)
                let payload = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let sequence = UInt64.random(in: 1...UInt64.max, using: &generator)
                let extended = Bool.random(using: &generator)
                let packet = try ESPCodec.seal(payload: payload, nextHeader: 6, spi: 0x777, sequence: sequence, extended: extended, keys: keys)
                XCTAssertEqual(packet.count, ESPCodec.sealedLength(payload: length, suite: suite))
                XCTAssertLessThanOrEqual(packet.count - length, suite.maximumOverhead)
                XCTAssertLessThanOrEqual(suite.maximumOverhead, ESPCodec.maximumOverhead)
                XCTAssertEqual((packet.count - suite.headerLength - ESPSuite.icvLength) % suite.paddingAlignment, 0)
                let opened = try ESPCodec.open(packet: packet, spi: 0x777, sequence: sequence, extended: extended, keys: keys)
                XCTAssertEqual(opened.payload, payload, "\(suite) \(length)")
                XCTAssertEqual(opened.nextHeader, 6)
                // From the IV on: SPI and sequence reach the codec as the caller's values, taken from
                // the packet by the data plane (checked in the tamper tests of each suite).
                var flipped = packet
                flipped[Int.random(in: 8..<packet.count, using: &generator)] ^= 0x01
                XCTAssertThrowsError(try ESPCodec.open(packet: flipped, spi: 0x777, sequence: sequence, extended: extended, keys: keys))
            }
        }
    }
}
