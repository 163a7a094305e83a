/// A HIT in JSON and other `Codable` formats: its RFC 5952 text (`"2001:21:…"`).
extension HIT: Codable {
    /// Parses the IPv6 text form of a HIT; `nil` when it is not an IPv6 address.
    public init?(text: String) {
        guard case .v6(let bytes) = IPAddress(text) else { return nil }
        self.init(bytes: bytes)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let hit = HIT(text: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "`\(text)` is not an IPv6 address")
        }
        self = hit
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
