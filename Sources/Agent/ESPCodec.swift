import Crypto
import Foundation

/// ESP packets with AES-GCM (RFC 4303, RFC 4106), as pure functions on bytes.
///
/// Wire format: SPI (4) | sequence number, low 32 bits (4) | IV (8) | ciphertext of
/// (payload | padding | pad length | next header) | ICV (16).
/// The nonce is salt (4) || IV (8). The additional data is SPI || sequence low (8 bytes),
/// or SPI || sequence high || sequence low (12 bytes) with extended sequence numbers
/// (RFC 4106 section 5). The IV is the 64-bit sequence number, unique per key.
public enum ESPCodec {
    /// SPI + sequence + IV.
    public static let headerLength = 16
    /// The bytes ESP adds to a payload at most (header, trailer with up to 3 pad bytes, ICV).
    public static let maximumOverhead = headerLength + 3 + 2 + ESPSuite.icvLength

    /// The keys of one direction of an SA, ready for use.
    /// Unchecked: `SymmetricKey` is an immutable value that swift-crypto does not yet mark `Sendable`.
    public struct Keys: @unchecked Sendable {
        public let suite: ESPSuite
        let key: SymmetricKey
        let salt: [UInt8]

        /// `material` is key || salt, as RFC 4106 derives it.
        public init(suite: ESPSuite, material: [UInt8]) throws(AgentError) {
            guard material.count == suite.keyMaterialLength else {
                throw AgentError(.invalidAssociation,
                                 "\(suite.rawValue) needs \(suite.keyMaterialLength) bytes of key material (key and 4-byte salt), got \(material.count)")
            }
            self.suite = suite
            key = SymmetricKey(data: material[0..<suite.keyLength])
            salt = Array(material[suite.keyLength...])
        }
    }

    /// The additional authenticated data for a packet.
    public static func additionalData(spi: UInt32, sequence: UInt64, extended: Bool) -> [UInt8] {
        var aad = [UInt8]()
        aad.reserveCapacity(12)
        append32(spi, to: &aad)
        if extended { append32(UInt32(truncatingIfNeeded: sequence >> 32), to: &aad) }
        append32(UInt32(truncatingIfNeeded: sequence), to: &aad)
        return aad
    }

    /// Encapsulates `payload` (carrying protocol `nextHeader`) as an ESP packet.
    public static func seal(payload: some Collection<UInt8>, nextHeader: UInt8, spi: UInt32, sequence: UInt64,
                            extended: Bool, keys: Keys) throws(AgentError) -> [UInt8] {
        var plain = [UInt8]()
        let padding = (4 - (payload.count + 2) % 4) % 4
        plain.reserveCapacity(payload.count + padding + 2)
        plain.append(contentsOf: payload)
        for index in 0..<padding { plain.append(UInt8(index + 1)) }  // RFC 4303 2.4: 1, 2, 3, ...
        plain.append(UInt8(padding))
        plain.append(nextHeader)

        var iv = [UInt8]()
        append64(sequence, to: &iv)
        let aad = additionalData(spi: spi, sequence: sequence, extended: extended)
        let box: AES.GCM.SealedBox
        do {
            let nonce = try AES.GCM.Nonce(data: keys.salt + iv)
            box = try AES.GCM.seal(plain, using: keys.key, nonce: nonce, authenticating: aad)
        } catch {
            throw AgentError(.system, "AES-GCM seal failed: \(error)")
        }
        var packet = [UInt8]()
        packet.reserveCapacity(headerLength + plain.count + ESPSuite.icvLength)
        append32(spi, to: &packet)
        append32(UInt32(truncatingIfNeeded: sequence), to: &packet)
        packet.append(contentsOf: iv)
        packet.append(contentsOf: box.ciphertext)
        packet.append(contentsOf: box.tag)
        return packet
    }

    /// The SPI and the low 32 bits of the sequence number of a received packet.
    public static func header(of packet: some RandomAccessCollection<UInt8>) throws(AgentError) -> (spi: UInt32, sequenceLow: UInt32) {
        guard packet.count >= headerLength + 4 + ESPSuite.icvLength else {
            throw AgentError(.malformedPacket, "ESP packet of \(packet.count) bytes is too short")
        }
        let start = packet.startIndex
        return (read32(packet, start), read32(packet, packet.index(start, offsetBy: 4)))
    }

    /// Decrypts and authenticates a packet whose full sequence number is `sequence`
    /// (inferred by the replay window). Returns the payload and its next header.
    public static func open(packet: [UInt8], spi: UInt32, sequence: UInt64, extended: Bool,
                            keys: Keys) throws(AgentError) -> (payload: [UInt8], nextHeader: UInt8) {
        _ = try header(of: packet)
        let iv = packet[8..<16]
        let ciphertext = packet[16..<(packet.count - ESPSuite.icvLength)]
        let tag = packet[(packet.count - ESPSuite.icvLength)...]
        let aad = additionalData(spi: spi, sequence: sequence, extended: extended)
        var plain: [UInt8]
        do {
            let nonce = try AES.GCM.Nonce(data: keys.salt + iv)
            let box = try AES.GCM.SealedBox(nonce: nonce, ciphertext: ciphertext, tag: tag)
            plain = Array(try AES.GCM.open(box, using: keys.key, authenticating: aad))
        } catch {
            throw AgentError(.authenticationFailed, "ICV of SPI \(hex(spi)) sequence \(sequence) does not verify")
        }
        guard plain.count >= 2 else { throw AgentError(.malformedPacket, "ESP trailer missing") }
        let nextHeader = plain[plain.count - 1]
        let padLength = Int(plain[plain.count - 2])
        guard padLength + 2 <= plain.count else {
            throw AgentError(.malformedPacket, "pad length \(padLength) exceeds the payload")
        }
        plain.removeLast(padLength + 2)
        return (plain, nextHeader)
    }

    /// RFC 4106 with explicit nonce parts, for known-answer tests.
    public static func gcmSeal(key: [UInt8], salt: [UInt8], iv: [UInt8], aad: [UInt8],
                               plaintext: [UInt8]) throws -> (ciphertext: [UInt8], tag: [UInt8]) {
        let box = try AES.GCM.seal(plaintext, using: SymmetricKey(data: key),
                                   nonce: AES.GCM.Nonce(data: salt + iv), authenticating: aad)
        return (Array(box.ciphertext), Array(box.tag))
    }

    static func hex(_ spi: UInt32) -> String { "0x" + String(spi, radix: 16) }

    static func append32(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    static func append64(_ value: UInt64, to bytes: inout [UInt8]) {
        append32(UInt32(truncatingIfNeeded: value >> 32), to: &bytes)
        append32(UInt32(truncatingIfNeeded: value), to: &bytes)
    }

    static func read32<C: RandomAccessCollection<UInt8>>(_ bytes: C, _ at: C.Index) -> UInt32 {
        var value: UInt32 = 0
        var index = at
        for _ in 0..<4 {
            value = value << 8 | UInt32(bytes[index])
            index = bytes.index(after: index)
        }
        return value
    }
}
