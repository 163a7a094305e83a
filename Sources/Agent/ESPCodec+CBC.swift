import Crypto
import _CryptoExtras

/// ESP with AES-128-CBC and HMAC-SHA-256-128: HIP's mandatory ESP transform (suite 8,
/// RFC 7402), per RFC 4303, RFC 3602 and RFC 4868.
///
/// Wire format: SPI (4) | sequence number, low 32 bits (4) | IV (16, random per packet) |
/// AES-CBC ciphertext of (payload | padding | pad length | next header), a multiple of 16 |
/// ICV (16): HMAC-SHA-256 truncated to 128 bits (RFC 4868 section 2.3) over everything
/// before it, followed, with extended sequence numbers, by the high 32 bits of the sequence
/// number, which are not sent (RFC 4303 section 2.2.1). The ICV is checked, in constant time,
/// before anything is decrypted (RFC 4303 section 3.4.4).
extension ESPCodec {
    static let cbcBlock = 16

    /// Completes a packet whose header (SPI, sequence) and padded plaintext are in place:
    /// draws the IV, encrypts in place, appends the ICV.
    static func sealCBC(output: UnsafeMutableRawBufferPointer, length: Int, sequence: UInt64, extended: Bool,
                        keys: Keys) throws(AgentError) {
        let plainStart = keys.suite.headerLength
        let plainEnd = length - ESPSuite.icvLength
        var generator = SystemRandomNumberGenerator()
        output.storeBytes(of: generator.next() as UInt64, toByteOffset: 8, as: UInt64.self)
        output.storeBytes(of: generator.next() as UInt64, toByteOffset: 16, as: UInt64.self)
        do {
            try cbcEncryptInPlace(UnsafeMutableRawBufferPointer(rebasing: output[plainStart..<plainEnd]),
                                  iv: UnsafeRawBufferPointer(rebasing: output[8..<24]), key: keys.key)
        } catch {
            throw AgentError(.system, "AES-CBC encryption failed: \(error)")
        }
        let icv = integrityCheckValue(UnsafeRawBufferPointer(rebasing: output[0..<plainEnd]), sequence: sequence,
                                      extended: extended, keys: keys)
        withUnsafeBytes(of: icv) { UnsafeMutableRawBufferPointer(rebasing: output[plainEnd..<length]).copyMemory(from: $0) }
    }

    /// Checks the ICV, then decrypts the ciphertext into `output`. Returns the plaintext length.
    static func openCBC(packet: UnsafeRawBufferPointer, spi: UInt32, sequence: UInt64, extended: Bool, keys: Keys,
                        into output: UnsafeMutableRawBufferPointer) throws(AgentError) -> Int {
        let plainStart = keys.suite.headerLength
        let cipherEnd = packet.count - ESPSuite.icvLength
        guard (cipherEnd - plainStart) % cbcBlock == 0 else {
            throw AgentError(.malformedPacket, "AES-CBC ciphertext of \(cipherEnd - plainStart) bytes is not a whole number of blocks")
        }
        let expected = integrityCheckValue(UnsafeRawBufferPointer(rebasing: packet[0..<cipherEnd]), sequence: sequence,
                                           extended: extended, keys: keys)
        let received = UnsafeRawBufferPointer(rebasing: packet[cipherEnd...])
        let equal = withUnsafeBytes(of: expected) { expected in
            var difference: UInt8 = 0
            for index in 0..<ESPSuite.icvLength { difference |= expected[index] ^ received[index] }
            return difference == 0
        }
        guard equal else {
            throw AgentError(.authenticationFailed, "ICV of SPI \(hex(spi)) sequence \(sequence) does not verify")
        }
        do {
            let length = cipherEnd - plainStart
            let plain = UnsafeMutableRawBufferPointer(rebasing: output[0..<length])
            plain.copyMemory(from: UnsafeRawBufferPointer(rebasing: packet[plainStart..<cipherEnd]))
            try cbcDecryptInPlace(plain, iv: UnsafeRawBufferPointer(rebasing: packet[8..<24]), key: keys.key)
            return length
        } catch {
            throw AgentError(.malformedPacket, "AES-CBC decryption failed: \(error)")
        }
    }

    /// AES-CBC encryption in place (RFC 3602), a whole number of blocks, with the AES block
    /// function of swift-crypto (`_CryptoExtras`' `AES._CBC` builds a `Data` block by block).
    static func cbcEncryptInPlace(_ data: UnsafeMutableRawBufferPointer, iv: UnsafeRawBufferPointer, key: SymmetricKey) throws {
        var previous = (iv.loadUnaligned(fromByteOffset: 0, as: UInt64.self), iv.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        var offset = 0
        while offset < data.count {
            var block = UnsafeMutableRawBufferPointer(rebasing: data[offset..<(offset + cbcBlock)])
            block.storeBytes(of: block.loadUnaligned(fromByteOffset: 0, as: UInt64.self) ^ previous.0, toByteOffset: 0, as: UInt64.self)
            block.storeBytes(of: block.loadUnaligned(fromByteOffset: 8, as: UInt64.self) ^ previous.1, toByteOffset: 8, as: UInt64.self)
            try AES.permute(&block, key: key)
            previous = (block.loadUnaligned(fromByteOffset: 0, as: UInt64.self), block.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            offset += cbcBlock
        }
    }

    /// AES-CBC decryption in place, a whole number of blocks.
    static func cbcDecryptInPlace(_ data: UnsafeMutableRawBufferPointer, iv: UnsafeRawBufferPointer, key: SymmetricKey) throws {
        var previous = (iv.loadUnaligned(fromByteOffset: 0, as: UInt64.self), iv.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        var offset = 0
        while offset < data.count {
            var block = UnsafeMutableRawBufferPointer(rebasing: data[offset..<(offset + cbcBlock)])
            let cipher = (block.loadUnaligned(fromByteOffset: 0, as: UInt64.self), block.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            try AES.inversePermute(&block, key: key)
            block.storeBytes(of: block.loadUnaligned(fromByteOffset: 0, as: UInt64.self) ^ previous.0, toByteOffset: 0, as: UInt64.self)
            block.storeBytes(of: block.loadUnaligned(fromByteOffset: 8, as: UInt64.self) ^ previous.1, toByteOffset: 8, as: UInt64.self)
            previous = cipher
            offset += cbcBlock
        }
    }

    /// HMAC-SHA-256 over `authenticated` (and the high sequence half with ESN), first 16 bytes.
    static func integrityCheckValue(_ authenticated: UnsafeRawBufferPointer, sequence: UInt64, extended: Bool,
                                    keys: Keys) -> (UInt64, UInt64) {
        var hmac = HMAC<SHA256>(key: keys.integrity!)
        hmac.update(data: authenticated)
        if extended {
            var high = UInt32(truncatingIfNeeded: sequence >> 32).bigEndian
            withUnsafeBytes(of: &high) { hmac.update(data: $0) }
        }
        let code = hmac.finalize()
        return code.withUnsafeBytes { ($0.loadUnaligned(fromByteOffset: 0, as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
    }

    /// HMAC-SHA-256-128 of `message`, for known-answer tests.
    public static func hmacSHA256128(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))).prefix(16).map { $0 }
    }

    /// AES-128-CBC without padding, for known-answer tests.
    public static func cbcEncrypt(key: [UInt8], iv: [UInt8], plaintext: [UInt8]) throws -> [UInt8] {
        var data = plaintext
        try data.withUnsafeMutableBytes { raw in
            try iv.withUnsafeBytes { try cbcEncryptInPlace(raw, iv: $0, key: SymmetricKey(data: key)) }
        }
        return data
    }
}
