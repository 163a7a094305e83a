/// The ESP transforms a link can use, with the key material each needs.
///
/// The key material (KEYMAT) of one SA is one byte string, wrapped to the host's key:
/// - AES-GCM (RFC 4106) and ChaCha20-Poly1305 (RFC 7634): the cipher key followed by the
///   4-byte salt, as Linux's `rfc4106(gcm(aes))` and `rfc7539esp(chacha20,poly1305)` take
///   it; 16-byte ICV, 8-byte explicit IV.
/// - AES-128-CBC with HMAC-SHA-256-128 (RFC 3602, RFC 4868; HIP's mandatory ESP suite 8,
///   RFC 7402): the 16-byte encryption key followed by the 32-byte authentication key.
public enum ESPSuite: String, Sendable, CaseIterable, Hashable {
    case aes128GCM = "aes-128-gcm"
    case aes256GCM = "aes-256-gcm"
    case aes128CBCHMACSHA256 = "aes-128-cbc-hmac-sha-256-128"
    case chacha20Poly1305 = "chacha20-poly1305"

    /// Bytes of cipher key.
    public var encryptionKeyLength: Int {
        switch self {
        case .aes128GCM, .aes128CBCHMACSHA256: return 16
        case .aes256GCM, .chacha20Poly1305: return 32
        }
    }

    /// Bytes of salt (the implicit part of the nonce) after the cipher key.
    public var saltLength: Int {
        switch self {
        case .aes128GCM, .aes256GCM, .chacha20Poly1305: return 4
        case .aes128CBCHMACSHA256: return 0
        }
    }

    /// Bytes of integrity key after the cipher key (non-AEAD suites only).
    public var authenticationKeyLength: Int { self == .aes128CBCHMACSHA256 ? 32 : 0 }

    /// The whole KEYMAT of one SA.
    public var keyMaterialLength: Int { encryptionKeyLength + saltLength + authenticationKeyLength }

    /// Whether the suite is an AEAD (one key string for `ip xfrm … aead`).
    public var isAEAD: Bool { self != .aes128CBCHMACSHA256 }

    /// Bytes of integrity check value.
    public var icvLength: Int { 16 }

    /// The HIP ESP_TRANSFORM suite ID (RFC 7402 section 5.1.2), where HIP defines one.
    public var hipSuiteID: Int? {
        switch self {
        case .aes128CBCHMACSHA256: return 8
        case .aes128GCM: return 13
        case .aes256GCM, .chacha20Poly1305: return nil
        }
    }

    /// The Linux crypto names `ip xfrm state` takes: the AEAD, or the cipher and the MAC.
    var xfrmAlgorithms: (aead: String?, cipher: String?, auth: String?) {
        switch self {
        case .aes128GCM, .aes256GCM: return ("rfc4106(gcm(aes))", nil, nil)
        case .chacha20Poly1305: return ("rfc7539esp(chacha20,poly1305)", nil, nil)
        case .aes128CBCHMACSHA256: return (nil, "cbc(aes)", "hmac(sha256)")
        }
    }
}
