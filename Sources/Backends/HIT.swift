import RSA

/// A Host Identity Tag: the 128-bit ORCHID of a Host Identity (RFC 7401 section 3.2),
/// written as an IPv6 address.
public struct HIT: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 16 bytes, network order.
    public let bytes: [UInt8]

    /// HIP's ORCHID context ID, F0EF F02F BFF4 3D0F E793 0C3C 6E61 74EA (RFC 7401 section 3.2).
    public static let hipContextID: [UInt8] = [
        0xF0, 0xEF, 0xF0, 0x2F, 0xBF, 0xF4, 0x3D, 0x0F, 0xE7, 0x93, 0x0C, 0x3C, 0x6E, 0x61, 0x74, 0xEA,
    ]
    /// The ORCHIDv2 OGA ID of RSA host identities (RFC 7401 section 5.2.10): SHA-256.
    public static let rsaOGAID: UInt8 = 1

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 16, "a HIT has 16 bytes")
        self.bytes = bytes
    }

    /// The ORCHIDv2 HIT of an RSA key.
    public init(rsa key: RSAPublicKey, version: ORCHIDVersion = .v2) {
        self = HostIdentity(rsa: key).hit(version)
    }

    /// The RFC 5952 text form, `2001:21:…`.
    public var description: String { IPAddress.v6(bytes).description }

    /// 32 uppercase hex digits, as in a DNS HIP RR (RFC 8005).
    public var hex: String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Which ORCHID prefix the HIT carries, if any.
    public var version: ORCHIDVersion? {
        guard bytes[0] == 0x20, bytes[1] == 0x01, bytes[2] == 0x00 else { return nil }
        switch bytes[3] & 0xF0 {
        case 0x20: return .v2
        case 0x10: return .v1
        default: return nil
        }
    }

    /// The LSI OpenHIP derives from a HIT (HIT2LSI): 1.x.y.z from its last 24 bits.
    public var defaultLSI: LSI { LSI(low24: UInt32(bytes[13]) << 16 | UInt32(bytes[14]) << 8 | UInt32(bytes[15])) }

    public static func < (lhs: HIT, rhs: HIT) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}
