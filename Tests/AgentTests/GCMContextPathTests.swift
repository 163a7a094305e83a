@testable import Agent
import Foundation
import XCTest

/// The two ways `GCMContext` goes through OpenSSL 3: the provider's cipher functions called
/// directly (the data plane's default) and EVP (the fallback). Both against the GCM
/// specification's known answers, against each other and swift-crypto over random packets,
/// and both recovering from a refused packet (the next one opens).
final class GCMContextPathTests: XCTestCase {
    func testTheDefaultCallsTheProviderDirectlyAndEVPIsTheFallback() throws {
        for length in [16, 32] {
            let key = [UInt8](repeating: 9, count: length)
            let direct = try XCTUnwrap(key.withUnsafeBytes { GCMContext(key: $0) })
            let evp = try XCTUnwrap(key.withUnsafeBytes { GCMContext(key: $0, direct: false) })
            XCTAssertTrue(direct.isDirect, "AES-\(length * 8)-GCM: the provider's functions are reachable in the system's OpenSSL 3")
            XCTAssertFalse(evp.isDirect)
        }
        XCTAssertNil([UInt8](repeating: 1, count: 24).withUnsafeBytes { GCMContext(key: $0) }, "AES-192 is no ESP suite here")
        let keys = try ESPCodec.Keys(suite: .aes256GCM, material: [UInt8](repeating: 3, count: 36))
        XCTAssertEqual(keys.context?.isDirect, true, "the data plane's engine")
        XCTAssertEqual(try ESPCodec.Keys(suite: .aes128GCM, material: [UInt8](repeating: 3, count: 20), engine: .libcryptoEVP).context?.isDirect,
                       false)
    }

    /// Test cases 4 (AES-128) and 16 (AES-256) of the GCM specification (McGrew and Viega):
    /// 60-byte plaintext, 20-byte AAD; sealed in three parts (not block-aligned), opened in place.
    func testKnownAnswersOnBothPaths() throws {
        let hex = ESPCodecTests.hex
        let plaintext = hex("""
            d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
            1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39
            """)
        let aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2"), nonce = hex("cafebabefacedbaddecaf888")
        let cases: [(key: [UInt8], ciphertext: [UInt8], tag: [UInt8])] = [
            (hex("feffe9928665731c6d6a8f9467308308"),
             hex("""
                 42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e
                 21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091
                 """), hex("5bc94fbc3221a5db94fae95ae7121a47")),
            (hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"),
             hex("""
                 522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa
                 8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662
                 """), hex("76fc6ece0f4e1768cddf8853bb2d551b")),
        ]
        for (key, ciphertext, tag) in cases {
            for direct in [true, false] {
                let label = "AES-\(key.count * 8)-GCM, direct \(direct)"
                let context = try XCTUnwrap(key.withUnsafeBytes { GCMContext(key: $0, direct: direct) })
                var sealed = [UInt8](repeating: 0, count: plaintext.count + 16)
                let parts = (Array(plaintext[0..<7]), Array(plaintext[7..<50]), Array(plaintext[50...]))
                let ok = nonce.withUnsafeBytes { nonce in
                    aad.withUnsafeBytes { aad in
                        parts.0.withUnsafeBytes { first in
                            parts.1.withUnsafeBytes { second in
                                parts.2.withUnsafeBytes { third in
                                    sealed.withUnsafeMutableBytes { out in
                                        context.seal(nonce: nonce.baseAddress!, aad: aad, first, second, third, into: out.baseAddress!,
                                                     tag: out.baseAddress! + plaintext.count)
                                    }
                                }
                            }
                        }
                    }
                }
                XCTAssertTrue(ok, label)
                XCTAssertEqual(Array(sealed[0..<plaintext.count]), ciphertext, label)
                XCTAssertEqual(Array(sealed[plaintext.count...]), tag, label)
                // Refused (tag, ciphertext), then the intact packet still opens on the same context.
                for flip in [plaintext.count + 15, 3, nil] as [Int?] {
                    var packet = sealed
                    if let flip { packet[flip] ^= 0x80 }
                    let opened = open(context, nonce: nonce, aad: aad, packet: &packet, length: plaintext.count)
                    XCTAssertEqual(opened, flip == nil, "\(label), flipped byte \(String(describing: flip))")
                    if flip == nil { XCTAssertEqual(Array(packet[0..<plaintext.count]), plaintext, label) }
                }
            }
        }
    }

    private func open(_ context: GCMContext, nonce: [UInt8], aad: [UInt8], packet: inout [UInt8], length: Int) -> Bool {
        nonce.withUnsafeBytes { nonce in
            aad.withUnsafeBytes { aad in
                packet.withUnsafeMutableBytes { raw in
                    context.open(nonce: nonce.baseAddress!, aad: aad, ciphertext: UnsafeRawBufferPointer(rebasing: raw[0..<length]),
                                 tag: raw.baseAddress! + length, into: raw.baseAddress!)
                }
            }
        }
    }

    /// Random SAs and packets: the direct path, EVP and swift-crypto build the same ESP packet;
    /// each libcrypto path opens the others' in place, refuses a tampered one, and opens the
    /// next good one with the same context.
    func testThePathsAgreeOverRandomPackets() throws {
        var generator = SystemRandomNumberGenerator()
        for suite in ESPSuite.allCases where suite.isAEAD {
            for round in 0..<120 {
                let random = RandomESPCase(round: round, suite: suite, using: &generator)
                let (payload, spi, sequence, extended) = (random.payload, random.spi, random.sequence, random.extended)
                let engines = try ESPCodec.Keys.Engine.allCases.map { try ESPCodec.Keys(suite: suite, material: random.material, engine: $0) }
                let label = "\(suite) \(random.label)"
                let packets = try engines.map {
                    try ESPCodec.seal(payload: payload, nextHeader: 6, spi: spi, sequence: sequence, extended: extended, keys: $0)
                }
                for (engine, packet) in zip(engines, packets) { XCTAssertEqual(packet, packets.last, "\(label): \(engine.engine)") }
                for keys in engines where keys.context != nil {
                    var tampered = packets[0]
                    tampered[Int.random(in: 8..<tampered.count, using: &generator)] ^= 0x01
                    XCTAssertThrowsError(try openInPlace(&tampered, spi: spi, sequence: sequence, extended: extended, keys: keys),
                                         "\(label): \(keys.engine) accepted a tampered packet")
                    var good = packets[0]
                    XCTAssertEqual(try openInPlace(&good, spi: spi, sequence: sequence, extended: extended, keys: keys), payload,
                                   "\(label): \(keys.engine) after a refusal")
                }
            }
        }
    }

    private func openInPlace(_ packet: inout [UInt8], spi: UInt32, sequence: UInt64, extended: Bool, keys: ESPCodec.Keys) throws -> [UInt8] {
        var scratch = [UInt8](repeating: 0, count: 16)
        return try packet.withUnsafeMutableBytes { raw in
            try scratch.withUnsafeMutableBytes { scratch in
                try ESPCodec.withOpened(inPlace: raw, spi: spi, sequence: sequence, extended: extended, keys: keys, scratch: scratch) { payload, _ in
                    Array(payload)
                }
            }
        }
    }

    func testARetiredDirectContextSealsAndOpensNothing() throws {
        for engine in [ESPCodec.Keys.Engine.libcrypto, .libcryptoEVP] {
            let keys = try ESPCodec.Keys(suite: .aes256GCM, material: [UInt8](repeating: 5, count: 36), engine: engine)
            let packet = try ESPCodec.seal(payload: [1, 2, 3], nextHeader: 17, spi: 300, sequence: 1, extended: true, keys: keys)
            keys.retire()
            XCTAssertThrowsError(try ESPCodec.seal(payload: [1, 2, 3], nextHeader: 17, spi: 300, sequence: 2, extended: true, keys: keys))
            XCTAssertThrowsError(try ESPCodec.open(packet: packet, spi: 300, sequence: 1, extended: true, keys: keys))
        }
    }
}
