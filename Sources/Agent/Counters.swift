/// Data-plane counters, for one SA or the whole agent.
public struct Counters: Sendable, Equatable, Codable {
    public var packetsIn: UInt64 = 0
    public var packetsOut: UInt64 = 0
    public var bytesIn: UInt64 = 0
    public var bytesOut: UInt64 = 0
    /// Packets dropped because their sequence number was replayed or too old.
    public var replaysDropped: UInt64 = 0
    /// Packets dropped because their ICV did not verify.
    public var authenticationFailures: UInt64 = 0
    /// Packets dropped because no valid SA matched (unknown SPI, expired SA, unknown peer).
    public var noAssociationDropped: UInt64 = 0
    /// Packets dropped because they were malformed (short, bad trailer, not IPv6 between HITs).
    public var malformedDropped: UInt64 = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case packetsIn = "packets_in", packetsOut = "packets_out", bytesIn = "bytes_in", bytesOut = "bytes_out"
        case replaysDropped = "replays_dropped", authenticationFailures = "authentication_failures"
        case noAssociationDropped = "no_sa_dropped", malformedDropped = "malformed_dropped"
    }
}
