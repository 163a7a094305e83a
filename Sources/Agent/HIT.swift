import Backends

/// A Host Identity Tag: the agent uses the back ends' `HIT` (the bundle's HITs are the
/// same values), with the two conveniences the data plane needs.
public typealias HIT = Backends.HIT

extension HIT {
    /// A HIT from 16 bytes of any collection (a slice of a packet).
    public init(bytes: some Collection<UInt8>) {
        self.init(bytes: Array(bytes))
    }

    /// Parses the textual IPv6 form (`2001:21::1`).
    public init(_ text: String) throws(AgentError) {
        guard let hit = HIT(text: text) else {
            throw AgentError(.invalidInput, "`\(text)` is not an IPv6 address")
        }
        self = hit
    }
}
