import Foundation

/// A Host Identity Tag: a 128-bit IPv6 address (ORCHID).
public struct HIT: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The 16 address bytes.
    public let bytes: [UInt8]

    public init(bytes: some Collection<UInt8>) {
        precondition(bytes.count == 16, "a HIT has 16 bytes")
        self.bytes = Array(bytes)
    }

    /// Parses the textual IPv6 form (`2001:21::1`).
    public init(_ text: String) throws(AgentError) {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else {
            throw AgentError(.invalidInput, "`\(text)` is not an IPv6 address")
        }
        bytes = withUnsafeBytes(of: &address) { Array($0) }
    }

    public var description: String {
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
        let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: text, as: UTF8.self)
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try HIT(text)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
