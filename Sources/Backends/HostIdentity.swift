import RSA

/// The Host Identity (HI) of an RSA key as HIP carries it: RFC 3110's encoding, used by the
/// HOST_ID parameter (RFC 7401 section 5.2.9 and appendix B), the DNS HIP RR (RFC 8005) and
/// as the ORCHID input for the HIT.
///
///     e_len | e | n        (big-endian, no leading zeros)
///
/// `e_len` is one byte, or a zero byte followed by two bytes when the exponent is longer
/// than 255 bytes.
public struct HostIdentity: Hashable, Sendable {
    /// The encoded bytes.
    public let bytes: [UInt8]
    /// The HIP HI algorithm number (RFC 7401 section 5.2.9): 5 for RSA.
    public static let rsaAlgorithm: UInt8 = 5
    /// The DNS HIP RR / IPSECKEY public key algorithm number (RFC 8005, RFC 4025): 2 for RSA.
    public static let dnsRSAAlgorithm: UInt8 = 2

    public init(rsa key: RSAPublicKey) {
        let e = key.exponentBytes
        let n = key.modulusBytes
        var bytes: [UInt8] = []
        bytes.reserveCapacity(3 + e.count + n.count)
        if e.count <= 255 {
            bytes.append(UInt8(e.count))
        } else {
            // An RSA exponent is smaller than its modulus (at most 16384 bits here), so its
            // length always fits two bytes.
            bytes.append(0)
            bytes.append(UInt8(truncatingIfNeeded: e.count >> 8))
            bytes.append(UInt8(truncatingIfNeeded: e.count))
        }
        bytes.append(contentsOf: e)
        bytes.append(contentsOf: n)
        self.bytes = bytes
    }

    /// The HIT of this identity (ORCHIDv2 unless asked otherwise).
    public func hit(_ version: ORCHIDVersion = .v2) -> HIT {
        HIT(bytes: ORCHID.generate(input: bytes, context: HIT.hipContextID, version: version,
                                   ogaID: version == .v2 ? HIT.rsaOGAID : nil))
    }
}
