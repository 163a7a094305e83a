import Hashing

/// EMSA-PKCS1-v1_5 encoding (RFC 8017 §9.2):
/// `EM = 0x00 || 0x01 || PS (0xff...) || 0x00 || DigestInfo(hash, H)`.
///
/// Verification re-encodes the expected message representative and compares it with the
/// recovered one in constant time; the padding and the DigestInfo of a signature are never
/// parsed, so no lax parser can be tricked into accepting a forgery.
enum EMSAPKCS1 {
    /// The DER encoding of `DigestInfo` up to the digest bytes (RFC 8017 §9.2, note 1).
    static func digestInfoPrefix(_ hash: HashAlgorithm) -> [UInt8] {
        switch hash {
        case .md5: return md5Prefix
        case .sha1: return sha1Prefix
        case .sha256: return sha256Prefix
        case .sha512: return sha512Prefix
        }
    }

    static let md5Prefix: [UInt8] = [0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00, 0x04, 0x10]
    static let sha1Prefix: [UInt8] = [0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14]
    static let sha256Prefix: [UInt8] = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]
    static let sha512Prefix: [UInt8] = [0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40]

    /// Writes the encoded message for `digest` into `output` (its count is the modulus
    /// length k). The caller has checked `digest.count == hash.digestLength`.
    static func encode(digest: [UInt8], hash: HashAlgorithm, into output: inout [UInt8]) throws(RSAError) {
        let fits = output.withUnsafeMutableBytes { encode(digest: digest, hash: hash, into: $0) }
        guard fits else {
            throw RSAError(.modulusTooSmall, "a \(output.count * 8)-bit modulus is too short for a \(hash.spkiName) signature")
        }
    }

    /// Writes the encoded message for `digest` into `output` (k bytes); `false`, writing
    /// nothing, when k is too short for it.
    static func encode(digest: [UInt8], hash: HashAlgorithm, into output: UnsafeMutableRawBufferPointer) -> Bool {
        let prefix = digestInfoPrefix(hash)
        let k = output.count
        let tLength = prefix.count + digest.count
        guard k >= tLength + 11 else { return false }
        output[0] = 0x00
        output[1] = 0x01
        let separator = k - tLength - 1
        for index in 2..<separator { output[index] = 0xff }
        output[separator] = 0x00
        var index = separator + 1
        for byte in prefix { output[index] = byte; index += 1 }
        for byte in digest { output[index] = byte; index += 1 }
        return true
    }

    /// Checks that a digest has the length its algorithm produces.
    static func checkDigest(_ digest: [UInt8], _ hash: HashAlgorithm) throws(RSAError) {
        guard digest.count == hash.digestLength else {
            throw RSAError(.digestLengthMismatch,
                           "a \(hash.spkiName) digest is \(hash.digestLength) bytes, this one is \(digest.count)",
                           help: "pass the digest of the message computed with \(hash.spkiName), or the message itself")
        }
    }
}

/// Comparisons whose running time depends only on the lengths of the inputs.
enum ConstantTime {
    /// Whether `a` and `b` are equal; the time depends only on the lengths.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<a.count { difference |= a[index] ^ b[index] }
        return isZero(difference) == 1
    }

    /// Whether `a` and `b` are equal; the time depends only on the lengths.
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<a.count { difference |= a[index] ^ b[index] }
        return isZero(difference) == 1
    }

    /// 1 when `x` is zero, 0 otherwise, without branching on `x`.
    @inline(__always)
    static func isZero(_ x: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: (UInt32(x) &- 1) >> 31)
    }

    /// 1 when `a == b`, 0 otherwise, without branching.
    @inline(__always)
    static func isEqual(_ a: UInt8, _ b: UInt8) -> UInt8 { isZero(a ^ b) }

    /// `a` when `condition` is 1, `b` when it is 0, without branching.
    @inline(__always)
    static func select(_ condition: UInt8, _ a: Int, _ b: Int) -> Int {
        let mask = 0 &- Int(condition)
        return (a & mask) | (b & ~mask)
    }
}
