@testable import Agent
import Foundation
import XCTest

/// The data plane's AES-GCM engine (the system libcrypto through a per-SA `GCMContext`)
/// against swift-crypto's `AES.GCM`, kept as the cross-check: for the same SA, sequence number
/// and payload both build the same ESP packet byte for byte (the IV is the sequence number),
/// each opens the other's, and opening in place gives the payload. tshark decrypting the
/// data plane's capture (`DataPlaneNamespaceTests`) is the check against a third implementation.
final class ESPEngineTests: XCTestCase {
    private func bytes(_ count: Int, _ generator: inout SystemRandomNumberGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    func testBothEnginesBuildTheSamePacketsAndOpenEachOthers() throws {
        var generator = SystemRandomNumberGenerator()
        for suite in ESPSuite.allCases where suite.isAEAD {
            for round in 0..<150 {
                // Mostly packet sizes, some jumbo ones, and the small edge cases.
                let random = RandomESPCase(round: round, suite: suite, using: &generator)
                let (material, payload, spi, sequence) = (random.material, random.payload, random.spi, random.sequence)
                let (extended, nextHeader, length) = (random.extended, random.nextHeader, random.payload.count)
                let fast = try ESPCodec.Keys(suite: suite, material: material, engine: .libcrypto)
                let reference = try ESPCodec.Keys(suite: suite, material: material, engine: .swiftCrypto)
                XCTAssertNotNil(fast.context)
                XCTAssertNil(reference.context)
                let context = "\(suite) \(random.label)"
                let packet = try ESPCodec.seal(payload: payload, nextHeader: nextHeader, spi: spi, sequence: sequence,
                                               extended: extended, keys: fast)
                let expected = try ESPCodec.seal(payload: payload, nextHeader: nextHeader, spi: spi, sequence: sequence,
                                                 extended: extended, keys: reference)
                XCTAssertEqual(packet, expected, context)
                // Sealed where the payload lies (the data plane's form) too.
                var buffer = payload + [UInt8](repeating: 0xA5, count: ESPCodec.maximumOverhead)
                var output = [UInt8](repeating: 0, count: packet.count + 32)
                let sealed = try buffer.withUnsafeMutableBytes { buffer in
                    try output.withUnsafeMutableBytes { output in
                        try ESPCodec.seal(payloadCount: length, inPlace: buffer, nextHeader: nextHeader, spi: spi, sequence: sequence,
                                          extended: extended, keys: fast, into: output)
                    }
                }
                XCTAssertEqual(Array(output[0..<sealed]), expected, context)
                // Each engine opens the other's packet.
                let opened = try ESPCodec.open(packet: expected, spi: spi, sequence: sequence, extended: extended, keys: fast)
                XCTAssertEqual(opened.payload, payload, context)
                XCTAssertEqual(opened.nextHeader, nextHeader, context)
                let openedByReference = try ESPCodec.open(packet: packet, spi: spi, sequence: sequence, extended: extended, keys: reference)
                XCTAssertEqual(openedByReference.payload, payload, context)
                // In place: the payload is handed over inside the packet, after the header.
                var inPlace = packet
                var scratch = [UInt8](repeating: 0, count: 16)  // too small to be used: GCM opens in place
                let (seen, header, offset) = try inPlace.withUnsafeMutableBytes { raw in
                    try scratch.withUnsafeMutableBytes { scratch in
                        try ESPCodec.withOpened(inPlace: raw, spi: spi, sequence: sequence, extended: extended, keys: fast,
                                                scratch: scratch) { payload, header in
                            (Array(payload), header, payload.baseAddress.map { $0 - UnsafeRawPointer(raw.baseAddress!) })
                        }
                    }
                }
                XCTAssertEqual(seen, payload, context)
                XCTAssertEqual(header, nextHeader, context)
                if length > 0 { XCTAssertEqual(offset, suite.headerLength, "\(context): opened where it lies") }
            }
        }
    }

    func testTamperingFailsWithBothEnginesAndInPlace() throws {
        var generator = SystemRandomNumberGenerator()
        for suite in ESPSuite.allCases where suite.isAEAD {
            let material = bytes(suite.keyMaterialLength, &generator)
            let payload = bytes(300, &generator)
            for engine in ESPCodec.Keys.Engine.allCases {
                let keys = try ESPCodec.Keys(suite: suite, material: material, engine: engine)
                let packet = try ESPCodec.seal(payload: payload, nextHeader: 6, spi: 0x1001, sequence: 9, extended: true, keys: keys)
                // The IV, the ciphertext and the ICV (SPI and sequence enter through the AAD, from the SA: below).
                for position in [8, 15, 16, 100, packet.count - 17, packet.count - 1] {
                    var tampered = packet
                    tampered[position] ^= 0x40
                    var scratch = [UInt8](repeating: 0, count: packet.count)
                    XCTAssertThrowsError(try tampered.withUnsafeMutableBytes { raw in
                        try scratch.withUnsafeMutableBytes { scratch in
                            try ESPCodec.withOpened(inPlace: raw, spi: 0x1001, sequence: 9, extended: true, keys: keys, scratch: scratch) { _, _ in
                                XCTFail("\(suite) \(engine) byte \(position): a tampered packet reached the body")
                            }
                        }
                    }) { XCTAssertEqual(($0 as? AgentError)?.code, .authenticationFailed, "\(suite) \(engine) byte \(position)") }
                }
                // The unsent high half of the sequence number is authenticated.
                XCTAssertThrowsError(try ESPCodec.open(packet: packet, spi: 0x1001, sequence: 9 | 1 << 32, extended: true, keys: keys))
            }
        }
    }

    func testARetiredContextSealsAndOpensNothing() throws {
        let keys = try ESPCodec.Keys(suite: .aes128GCM, material: [UInt8](repeating: 7, count: 20))
        let packet = try ESPCodec.seal(payload: [1, 2, 3], nextHeader: 17, spi: 300, sequence: 1, extended: true, keys: keys)
        keys.retire()
        XCTAssertTrue(keys.context!.isRetired)
        XCTAssertThrowsError(try ESPCodec.seal(payload: [1, 2, 3], nextHeader: 17, spi: 300, sequence: 2, extended: true, keys: keys))
        XCTAssertThrowsError(try ESPCodec.open(packet: packet, spi: 300, sequence: 1, extended: true, keys: keys))
    }

    /// An SA removed from the table, at expiry or by a new set without it, has its key
    /// contexts cleared at once; one kept carries on with its contexts.
    func testRemovedAssociationsAreRetired() throws {
        let start = Date(timeIntervalSince1970: 1_000_000)
        func association(_ spi: UInt32, end: TimeInterval) throws -> SecurityAssociation {
            SecurityAssociation(spiIn: spi, spiOut: spi + 1, suite: .aes128GCM, keyIn: [UInt8](repeating: 1, count: 20),
                                keyOut: [UInt8](repeating: 2, count: 20), localHIT: try HIT("2001:21::a"), peerHIT: try HIT("2001:21::b"),
                                peerLocator: try Locator(address: "10.0.0.2"), start: start, end: start.addingTimeInterval(end))
        }
        let table = AssociationTable(overlap: 10)
        let short = try association(0x1000, end: 60), long = try association(0x2000, end: 3600), other = try association(0x3000, end: 3600)
        try table.apply([short, long, other])
        let shortActive = try XCTUnwrap(table.inbound(spi: 0x1000, now: start))
        let longActive = try XCTUnwrap(table.inbound(spi: 0x2000, now: start))
        let otherActive = try XCTUnwrap(table.inbound(spi: 0x3000, now: start))
        XCTAssertEqual(table.expire(now: start.addingTimeInterval(71)), [0x1000])
        XCTAssertTrue(shortActive.keysIn.context!.isRetired && shortActive.keysOut.context!.isRetired)
        XCTAssertFalse(longActive.keysIn.context!.isRetired)
        try table.apply([long])  // `other` withdrawn by a new set
        XCTAssertTrue(otherActive.keysIn.context!.isRetired && otherActive.keysOut.context!.isRetired)
        XCTAssertTrue(try XCTUnwrap(table.inbound(spi: 0x2000, now: start)) === longActive, "kept with its state")
        XCTAssertFalse(longActive.keysOut.context!.isRetired)
    }
}
