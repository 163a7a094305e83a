/// The ESP transforms the data plane implements, with the key material each takes.
///
/// - AES-GCM (RFC 4106): the key material is the AES key followed by a 4-byte salt; the
///   explicit IV is 8 bytes (the 64-bit sequence number); the ICV is 16 bytes.
/// - AES-128-CBC with HMAC-SHA-256-128 (RFC 3602, RFC 4868; HIP's mandatory ESP transform,
///   suite 8 of RFC 7402): the key material is the 16-byte encryption key followed by the
///   32-byte integrity key, as `Backends` derives and wraps it; the explicit IV is 16 random
///   bytes; the ICV is HMAC-SHA-256 truncated to 16 bytes.
public enum ESPSuite: String, Sendable, Codable, CaseIterable {
    case aes128GCM = "aes-128-gcm"
    case aes256GCM = "aes-256-gcm"
    case aes128CBCHMACSHA256 = "aes-128-cbc-hmac-sha-256-128"

    /// Length of the cipher key, without salt or integrity key.
    public var keyLength: Int {
        switch self {
        case .aes128GCM, .aes128CBCHMACSHA256: 16
        case .aes256GCM: 32
        }
    }

    /// Length of the salt after the cipher key (AEAD suites only).
    public var suiteSaltLength: Int { isAEAD ? ESPSuite.saltLength : 0 }

    /// Length of the integrity key after the cipher key (non-AEAD suites only).
    public var authenticationKeyLength: Int { isAEAD ? 0 : 32 }

    /// Length of the key material of one direction: key || salt (RFC 4106 section 8.1),
    /// or encryption key || integrity key.
    public var keyMaterialLength: Int { keyLength + suiteSaltLength + authenticationKeyLength }

    /// Whether the suite is an AEAD (AES-GCM).
    public var isAEAD: Bool { self != .aes128CBCHMACSHA256 }

    /// Length of the explicit IV carried in each packet.
    public var explicitIVLength: Int { isAEAD ? ESPSuite.ivLength : 16 }

    /// The alignment of payload || padding || pad length || next header: 4 for GCM
    /// (RFC 4303 section 2.4), the AES block for CBC (RFC 3602 section 2.4).
    public var paddingAlignment: Int { isAEAD ? 4 : 16 }

    /// SPI, sequence number and IV: the bytes before the ciphertext.
    public var headerLength: Int { 8 + explicitIVLength }

    /// The bytes ESP adds to a payload at most (header, trailer with padding, ICV).
    public var maximumOverhead: Int { headerLength + paddingAlignment - 1 + 2 + ESPSuite.icvLength }

    public static let saltLength = 4
    /// The explicit IV of the AES-GCM suites.
    public static let ivLength = 8
    public static let icvLength = 16

    /// The name Wireshark's ESP preferences use for the suite's encryption.
    public var wiresharkName: String {
        switch self {
        case .aes128GCM, .aes256GCM: "AES-GCM with 16 octet ICV [RFC4106]"
        case .aes128CBCHMACSHA256: "AES-CBC [RFC3602]"
        }
    }

    /// The name Wireshark's ESP preferences use for the suite's authentication.
    public var wiresharkAuthenticationName: String {
        isAEAD ? "NULL" : "HMAC-SHA-256-128 [RFC4868]"
    }
}
