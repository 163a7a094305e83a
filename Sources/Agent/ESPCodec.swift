import Crypto
import Foundation

/// ESP packets (RFC 4303) as functions on bytes: AES-GCM (RFC 4106) here, AES-CBC with
/// HMAC-SHA-256-128 (RFC 3602, RFC 4868) in `ESPCodec+CBC.swift`.
///
/// GCM wire format: SPI (4) | sequence number, low 32 bits (4) | IV (8) | ciphertext of
/// (payload | padding | pad length | next header) | ICV (16).
/// The nonce is salt (4) || IV (8). The additional data is SPI || sequence low (8 bytes),
/// or SPI || sequence high || sequence low (12 bytes) with extended sequence numbers
/// (RFC 4106 section 5). The IV is the 64-bit sequence number, unique per key.
///
/// The data plane uses the buffer forms (`seal(payload:…into:)`, `open(packet:…into:)`,
/// `withOpened(inPlace:…)`), which write into caller-owned memory and allocate nothing with
/// the libcrypto engine (`Keys.Engine`); the array forms are for tests and tools.
public enum ESPCodec {
    /// SPI + sequence + IV of the GCM suites.
    public static let headerLength = 16
    /// The bytes ESP adds to a payload at most, over every suite (CBC: 16-byte IV, up to 15 pad bytes).
    public static let maximumOverhead = ESPSuite.allCases.map(\.maximumOverhead).max()!

    /// The keys of one direction of an SA, ready for use.
    /// Unchecked: `SymmetricKey` is an immutable value that swift-crypto does not yet mark
    /// `Sendable`, and the AES-GCM context is a locked class.
    public struct Keys: @unchecked Sendable {
        /// What runs AES-GCM: the system's libcrypto through a context set up once per key
        /// (`GCMContext`; the data plane's engine: the provider's functions called directly,
        /// EVP where they are not reachable), the same through EVP always (that fallback, kept
        /// tested), or swift-crypto's `AES.GCM`, which sets up the key schedule and GHASH
        /// tables on every call (kept as the cross-check).
        public enum Engine: String, Sendable, CaseIterable {
            case libcrypto
            case libcryptoEVP
            case swiftCrypto
        }

        public let suite: ESPSuite
        public let engine: Engine
        /// The cipher key.
        let key: SymmetricKey
        /// The 4-byte nonce salt (AEAD suites), as a big-endian word.
        let salt: UInt32
        /// The integrity key (non-AEAD suites).
        let integrity: SymmetricKey?
        /// The keyed AES-GCM context (AEAD suites with the libcrypto engine).
        let context: GCMContext?

        /// `material` is key || salt (RFC 4106), or encryption key || integrity key (CBC suite).
        public init(suite: ESPSuite, material: [UInt8], engine: Engine = .libcrypto) throws(AgentError) {
            try self.init(suite: suite, material: material, engine: engine, benchmarkNullCipher: false)
        }

        /// With `benchmarkNullCipher`, the AES-GCM context does no cryptography (benchmark
        /// only, `AssociationTable.benchmarkNullCipher`); only the AES-GCM suites with a libcrypto engine take it.
        init(suite: ESPSuite, material: [UInt8], engine: Engine, benchmarkNullCipher: Bool) throws(AgentError) {
            guard !benchmarkNullCipher || (suite.isAEAD && engine != .swiftCrypto) else {
                throw AgentError(.invalidAssociation, "the benchmark's null cipher replaces AES-GCM through libcrypto only, not \(suite.rawValue)")
            }
            guard material.count == suite.keyMaterialLength else {
                let parts = suite.isAEAD ? "key and 4-byte salt" : "16-byte encryption key and 32-byte integrity key"
                throw AgentError(.invalidAssociation,
                                 "\(suite.rawValue) needs \(suite.keyMaterialLength) bytes of key material (\(parts)), got \(material.count)")
            }
            self.suite = suite
            self.engine = engine
            key = SymmetricKey(data: material[0..<suite.keyLength])
            if suite.isAEAD {
                salt = read32(material, suite.keyLength)
                integrity = nil
            } else {
                salt = 0
                integrity = SymmetricKey(data: material[suite.keyLength...])
            }
            if suite.isAEAD && engine != .swiftCrypto {
                let made = material.withUnsafeBytes {
                    GCMContext(key: UnsafeRawBufferPointer(rebasing: $0[0..<suite.keyLength]), direct: engine == .libcrypto,
                               benchmarkNull: benchmarkNullCipher)
                }
                guard let made else { throw AgentError(.system, "libcrypto cannot set up \(suite.rawValue)") }
                context = made
            } else {
                context = nil
            }
        }

        /// Frees and clears the libcrypto context now (the SA was removed); later packets fail.
        func retire() { context?.retire() }
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

    /// The packet length for a payload of `count` bytes.
    public static func sealedLength(payload count: Int, suite: ESPSuite) -> Int {
        let alignment = suite.paddingAlignment
        let plain = (count + 2 + alignment - 1) / alignment * alignment
        return suite.headerLength + plain + ESPSuite.icvLength
    }

    /// Encapsulates `payload` (carrying protocol `nextHeader`) as an ESP packet written at the
    /// start of `output`, which needs `sealedLength(payload:suite:)` bytes. Returns the length.
    public static func seal(payload: UnsafeRawBufferPointer, nextHeader: UInt8, spi: UInt32, sequence: UInt64,
                            extended: Bool, keys: Keys, into output: UnsafeMutableRawBufferPointer) throws(AgentError) -> Int {
        let suite = keys.suite
        let length = sealedLength(payload: payload.count, suite: suite)
        precondition(output.count >= length, "ESP output buffer too small")
        let plainStart = suite.headerLength
        let plainEnd = length - ESPSuite.icvLength
        if payload.count > 0 {
            UnsafeMutableRawBufferPointer(rebasing: output[plainStart..<(plainStart + payload.count)]).copyMemory(from: payload)
        }
        writeTrailer(UnsafeMutableRawBufferPointer(rebasing: output[plainStart..<plainEnd]), payload: payload.count, nextHeader: nextHeader)
        if !suite.isAEAD {
            store32(spi, output, 0)
            store32(UInt32(truncatingIfNeeded: sequence), output, 4)
            try sealCBC(output: output, length: length, sequence: sequence, extended: extended, keys: keys)
            return length
        }
        try sealGCM(plain: UnsafeRawBufferPointer(rebasing: output[plainStart..<plainEnd]), spi: spi, sequence: sequence,
                    extended: extended, keys: keys, into: output)
        return length
    }

    /// Like `seal(payload:…into:)` for the payload at the start of `buffer`, `payloadCount`
    /// bytes long, with room after it in `buffer` (the payload and its trailer, at most
    /// `payloadCount + maximumOverhead` bytes): with AES-GCM the trailer is written there and
    /// the cipher reads the plaintext where it lies, without copying it first. Without the
    /// room, or with AES-CBC (which encrypts in `output`), it is `seal(payload:…into:)`.
    public static func seal(payloadCount: Int, inPlace buffer: UnsafeMutableRawBufferPointer, nextHeader: UInt8, spi: UInt32,
                            sequence: UInt64, extended: Bool, keys: Keys,
                            into output: UnsafeMutableRawBufferPointer) throws(AgentError) -> Int {
        let suite = keys.suite
        let length = sealedLength(payload: payloadCount, suite: suite)
        let plainCount = length - suite.headerLength - ESPSuite.icvLength
        guard suite.isAEAD, buffer.count >= plainCount else {
            return try seal(payload: UnsafeRawBufferPointer(rebasing: buffer[0..<payloadCount]), nextHeader: nextHeader, spi: spi,
                            sequence: sequence, extended: extended, keys: keys, into: output)
        }
        precondition(output.count >= length, "ESP output buffer too small")
        let plain = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<plainCount])
        writeTrailer(plain, payload: payloadCount, nextHeader: nextHeader)
        try sealGCM(plain: UnsafeRawBufferPointer(plain), spi: spi, sequence: sequence, extended: extended, keys: keys, into: output)
        return length
    }

    /// Writes the ESP trailer after `payload` bytes of `plain` (RFC 4303 2.4: pad bytes 1, 2,
    /// 3, ..., the pad length, the next header), up to the end of `plain`.
    static func writeTrailer(_ plain: UnsafeMutableRawBufferPointer, payload: Int, nextHeader: UInt8) {
        let padding = plain.count - payload - 2
        for index in 0..<padding { plain[payload + index] = UInt8(index + 1) }
        plain[plain.count - 2] = UInt8(padding)
        plain[plain.count - 1] = nextHeader
    }

    /// Writes the GCM header (SPI, sequence low, IV), the ciphertext of `plain` (payload and
    /// trailer) and the ICV at the start of `output`.
    private static func sealGCM(plain: UnsafeRawBufferPointer, spi: UInt32, sequence: UInt64, extended: Bool, keys: Keys,
                                into output: UnsafeMutableRawBufferPointer) throws(AgentError) {
        let plainStart = keys.suite.headerLength
        let plainEnd = plainStart + plain.count
        store32(spi, output, 0)
        store32(UInt32(truncatingIfNeeded: sequence), output, 4)
        store32(UInt32(truncatingIfNeeded: sequence >> 32), output, 8)  // IV: the 64-bit sequence number
        store32(UInt32(truncatingIfNeeded: sequence), output, 12)
        let iv = UnsafeRawBufferPointer(rebasing: output[8..<16])
        if let context = keys.context {
            let sealed = withNonceAndAAD(salt: keys.salt, iv: iv, spi: spi, sequence: sequence, extended: extended) { nonce, aad in
                context.seal(nonce: nonce.baseAddress!, aad: aad, plain, into: output.baseAddress! + plainStart,
                             tag: output.baseAddress! + plainEnd)
            }
            guard sealed else { throw AgentError(.system, "AES-GCM seal failed (libcrypto, or the SA was removed)") }
            return
        }
        do {
            try withNonceAndAAD(salt: keys.salt, iv: iv, spi: spi, sequence: sequence, extended: extended) { nonce, aad in
                let box = try AES.GCM.seal(plain, using: keys.key, nonce: AES.GCM.Nonce(data: nonce), authenticating: aad)
                UnsafeMutableRawBufferPointer(rebasing: output[plainStart..<plainEnd]).copyBytes(from: box.ciphertext)
                UnsafeMutableRawBufferPointer(rebasing: output[plainEnd..<(plainEnd + ESPSuite.icvLength)]).copyBytes(from: box.tag)
            }
        } catch {
            throw AgentError(.system, "AES-GCM seal failed: \(error)")
        }
    }

    /// Encapsulates `payload` as a new ESP packet.
    public static func seal(payload: some Collection<UInt8>, nextHeader: UInt8, spi: UInt32, sequence: UInt64,
                            extended: Bool, keys: Keys) throws(AgentError) -> [UInt8] {
        let plain = Array(payload)
        var packet = [UInt8](repeating: 0, count: sealedLength(payload: plain.count, suite: keys.suite))
        let result = plain.withUnsafeBytes { input in
            packet.withUnsafeMutableBytes { output in
                Result { () throws(AgentError) in
                    try seal(payload: input, nextHeader: nextHeader, spi: spi, sequence: sequence, extended: extended,
                             keys: keys, into: output)
                }
            }
        }
        _ = try result.get()
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

    /// Authenticates and decrypts a packet whose full sequence number is `sequence` (inferred
    /// by the replay window), writing the payload at the start of `output` (at least the
    /// packet's length). Returns the payload length and its next header.
    public static func open(packet: UnsafeRawBufferPointer, spi: UInt32, sequence: UInt64, extended: Bool,
                            keys: Keys, into output: UnsafeMutableRawBufferPointer) throws(AgentError) -> (length: Int, nextHeader: UInt8) {
        precondition(output.count >= packet.count, "ESP output buffer too small")
        return try withOpened(packet: packet, spi: spi, sequence: sequence, extended: extended, keys: keys,
                              scratch: output) { payload, nextHeader in
            if payload.baseAddress != UnsafeRawPointer(output.baseAddress), payload.count > 0 {
                UnsafeMutableRawBufferPointer(rebasing: output[0..<payload.count]).copyMemory(from: payload)
            }
            return (payload.count, nextHeader)
        }
    }

    /// Authenticates and decrypts a packet whose full sequence number is `sequence`, and calls
    /// `body` with the payload and its next header where they lie: decrypted in `scratch`
    /// (AES-GCM with libcrypto, AES-CBC; at least the packet's length), or in swift-crypto's
    /// output buffer (the swift-crypto engine). The payload is valid only during `body`.
    public static func withOpened<R>(packet: UnsafeRawBufferPointer, spi: UInt32, sequence: UInt64, extended: Bool, keys: Keys,
                                     scratch: UnsafeMutableRawBufferPointer,
                                     _ body: (UnsafeRawBufferPointer, UInt8) -> R) throws(AgentError) -> R {
        let suite = keys.suite
        guard packet.count >= suite.headerLength + suite.paddingAlignment + ESPSuite.icvLength else {
            throw AgentError(.malformedPacket, "ESP packet of \(packet.count) bytes is too short for \(suite.rawValue)")
        }
        guard suite.isAEAD else {
            precondition(scratch.count >= packet.count, "ESP scratch buffer too small")
            let plainLength = try openCBC(packet: packet, spi: spi, sequence: sequence, extended: extended, keys: keys, into: scratch)
            let (length, nextHeader) = try trailer(UnsafeRawBufferPointer(rebasing: scratch[0..<plainLength]))
            return body(UnsafeRawBufferPointer(rebasing: scratch[0..<length]), nextHeader)
        }
        let cipherEnd = packet.count - ESPSuite.icvLength
        if let context = keys.context {
            // Decrypted into `scratch`, from where the packet lies.
            precondition(scratch.count >= cipherEnd - 16, "ESP scratch buffer too small")
            let (payload, nextHeader) = try openGCM(packet: packet, spi: spi, sequence: sequence, extended: extended, keys: keys,
                                                    context: context, into: scratch.baseAddress!)
            return body(payload, nextHeader)
        }
        let plain: Data
        do {
            plain = try withNonceAndAAD(salt: keys.salt, iv: UnsafeRawBufferPointer(rebasing: packet[8..<16]), spi: spi,
                                        sequence: sequence, extended: extended) { nonce, aad in
                let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce),
                                                ciphertext: UnsafeRawBufferPointer(rebasing: packet[16..<cipherEnd]),
                                                tag: UnsafeRawBufferPointer(rebasing: packet[cipherEnd...]))
                return try AES.GCM.open(box, using: keys.key, authenticating: aad)
            }
        } catch {
            throw AgentError(.authenticationFailed, "ICV of SPI \(hex(spi)) sequence \(sequence) does not verify")
        }
        let result = plain.withUnsafeBytes { raw -> Result<R, AgentError> in
            Result { () throws(AgentError) in
                let (length, nextHeader) = try trailer(raw)
                return body(UnsafeRawBufferPointer(rebasing: raw[0..<length]), nextHeader)
            }
        }
        return try result.get()
    }

    /// The payload length and next header of a decrypted ESP plaintext, from its trailer.
    static func trailer(_ plain: UnsafeRawBufferPointer) throws(AgentError) -> (length: Int, nextHeader: UInt8) {
        guard plain.count >= 2 else { throw AgentError(.malformedPacket, "ESP trailer missing") }
        let nextHeader = plain[plain.count - 1]
        let padLength = Int(plain[plain.count - 2])
        guard padLength + 2 <= plain.count else {
            throw AgentError(.malformedPacket, "pad length \(padLength) exceeds the payload")
        }
        return (plain.count - padLength - 2, nextHeader)
    }

    /// Decrypts and authenticates a packet. Returns the payload and its next header.
    public static func open(packet: [UInt8], spi: UInt32, sequence: UInt64, extended: Bool,
                            keys: Keys) throws(AgentError) -> (payload: [UInt8], nextHeader: UInt8) {
        var plain = [UInt8](repeating: 0, count: packet.count)
        let result = packet.withUnsafeBytes { input in
            plain.withUnsafeMutableBytes { output in
                Result { () throws(AgentError) in
                    try open(packet: input, spi: spi, sequence: sequence, extended: extended, keys: keys, into: output)
                }
            }
        }
        let (length, nextHeader) = try result.get()
        plain.removeLast(plain.count - length)
        return (plain, nextHeader)
    }

    /// The GCM nonce (salt || IV) and additional data, built on the stack.
    static func withNonceAndAAD<R, E: Error>(salt: UInt32, iv: UnsafeRawBufferPointer, spi: UInt32, sequence: UInt64, extended: Bool,
                                             _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)  // nonce (12) | aad (up to 12)
        return try withUnsafeMutableBytes(of: &scratch) { raw throws(E) in
            store32(salt, raw, 0)
            UnsafeMutableRawBufferPointer(rebasing: raw[4..<12]).copyMemory(from: iv)
            store32(spi, raw, 12)
            var end = 16
            if extended {
                store32(UInt32(truncatingIfNeeded: sequence >> 32), raw, end)
                end += 4
            }
            store32(UInt32(truncatingIfNeeded: sequence), raw, end)
            end += 4
            return try body(UnsafeRawBufferPointer(rebasing: raw[0..<12]), UnsafeRawBufferPointer(rebasing: raw[12..<end]))
        }
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

    static func store32(_ value: UInt32, _ bytes: UnsafeMutableRawBufferPointer, _ at: Int) {
        bytes.storeBytes(of: value.bigEndian, toByteOffset: at, as: UInt32.self)
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

    static func read32(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }
}
