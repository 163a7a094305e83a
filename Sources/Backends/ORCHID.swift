import Hashing

/// Which ORCHID construction a HIT uses.
public enum ORCHIDVersion: String, Sendable, CaseIterable, Hashable {
    /// RFC 7343: prefix 2001:20::/28, a 4-bit OGA ID, the middle 96 bits of the hash
    /// (SHA-256 for OGA ID 1, RSA). The default.
    case v2 = "orchid-v2"
    /// RFC 4843 (HIPv1): prefix 2001:10::/28 and the middle 100 bits of SHA-1.
    case v1 = "orchid-v1"
}

/// Overlay Routable Cryptographic Hash Identifiers: 128-bit IPv6-like identifiers made of a
/// fixed prefix and bits cut from the middle of `Hash(context ID | input)`.
public enum ORCHID {
    /// The 128-bit ORCHID of `input` in `context`. `ogaID` (0...15) is used by v2 only and
    /// selects the hash: only 1 (SHA-256) is defined here, so v2 always hashes with SHA-256.
    public static func generate(input: [UInt8], context: [UInt8], version: ORCHIDVersion, ogaID: UInt8? = nil) -> [UInt8] {
        precondition(context.count == 16, "an ORCHID context ID is 128 bits")
        switch version {
        case .v2:
            let digest = HashAlgorithm.sha256.digest(context + input)
            // 28-bit prefix 2001:002, then the OGA ID, then 96 bits from bit 80 (the middle
            // of 256): bytes 10..<22, byte aligned.
            let oga = ogaID ?? 1
            precondition(oga < 16, "an OGA ID has 4 bits")
            return [0x20, 0x01, 0x00, 0x20 | oga] + Array(digest[10..<22])
        case .v1:
            let digest = HashAlgorithm.sha1.digest(context + input)
            // 28-bit prefix 2001:001, then 100 bits from bit 30 (the middle of 160).
            let middle = bits(of: digest, from: 30, count: 100)
            var result: [UInt8] = [0x20, 0x01, 0x00, 0x10]
            result.append(contentsOf: repeatElement(0, count: 12))
            // The 100 bits fill the low 4 bits of byte 3 and bytes 4..<16.
            for index in 0..<100 where middle[index] {
                let position = 28 + index
                result[position / 8] |= 0x80 >> UInt8(position % 8)
            }
            return result
        }
    }

    /// `count` bits of `bytes` starting at bit `from` (bit 0 is the top bit of byte 0).
    static func bits(of bytes: [UInt8], from start: Int, count: Int) -> [Bool] {
        (start..<(start + count)).map { position in
            bytes[position / 8] & (0x80 >> UInt8(position % 8)) != 0
        }
    }
}
