/// The ESP transforms the data plane implements.
///
/// AES-GCM per RFC 4106: the key material is the AES key followed by a 4-byte salt,
/// the ICV is 16 bytes, and the explicit IV is 8 bytes.
public enum ESPSuite: String, Sendable, Codable, CaseIterable {
    case aes128GCM = "aes-128-gcm"
    case aes256GCM = "aes-256-gcm"

    /// Length of the AES key, without the salt.
    public var keyLength: Int {
        switch self {
        case .aes128GCM: 16
        case .aes256GCM: 32
        }
    }

    /// Length of the key material: key || salt (RFC 4106 section 8.1).
    public var keyMaterialLength: Int { keyLength + ESPSuite.saltLength }

    public static let saltLength = 4
    public static let ivLength = 8
    public static let icvLength = 16

    /// The name Wireshark's ESP preferences use for the suite.
    public var wiresharkName: String {
        switch self {
        case .aes128GCM: "AES-GCM with 16 octet ICV [RFC4106]"
        case .aes256GCM: "AES-GCM with 16 octet ICV [RFC4106]"
        }
    }
}
