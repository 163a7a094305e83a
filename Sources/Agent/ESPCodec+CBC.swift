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
            let iv = try AES._CBC.IV(ivBytes: UnsafeRawBufferPointer(rebasing: output[8..<24]))
            let ciphertext = try AES._CBC.encrypt(UnsafeRawBufferPointer(rebasing: output[plainStart..<plainEnd]),
                                                  using: keys.key, iv: iv, noPadding: true)
            UnsafeMutableRawBufferPointer(rebasing: output[plainStart..<plainEnd]).copyBytes(from: ciphertext)
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
            let iv = try AES._CBC.IV(ivBytes: UnsafeRawBufferPointer(rebasing: packet[8..<24]))
            let plain = try AES._CBC.decrypt(UnsafeRawBufferPointer(rebasing: packet[plainStart..<cipherEnd]),
                                             using: keys.key, iv: iv, noPadding: true)
            output.copyBytes(from: plain)
            return plain.count
        } catch {
            throw AgentError(.malformedPacket, "AES-CBC decryption failed: \(error)")
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
        Array(try AES._CBC.encrypt(plaintext, using: SymmetricKey(data: key), iv: AES._CBC.IV(ivBytes: iv), noPadding: true))
    }
}
