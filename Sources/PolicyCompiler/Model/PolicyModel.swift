/// The resolved policy, what semantic analysis produces: every name bound to what it
/// names, every range expanded, every quantity in base units (bytes, bits per second,
/// milliseconds, units per hour, seconds since the epoch), every key loaded.
///
/// References between entities are indices into the arrays of this model (a host's
/// registrar is `registrars[host.registration!.registrar]`), so the model is cheap to
/// copy and to walk at the scale of thousands of hosts and machines.
public struct PolicyModel: Sendable {
    public var registrars: [Registrar] = []
    public var communities: [Community] = []
    public var hosts: [Host] = []
    public var users: [User] = []
    public var vpxis: [VPXI] = []

    public init() {}

    /// The registrar named `name`.
    public func registrar(named name: String) -> Int? { registrars.firstIndex { $0.name == name } }
    /// The user named `name`.
    public func user(named name: String) -> Int? { users.firstIndex { $0.name == name } }
    /// The host named `name`.
    public func host(named name: String) -> Int? { hosts.firstIndex { $0.name == name } }
    /// The vpxi named `name`.
    public func vpxi(named name: String) -> Int? { vpxis.firstIndex { $0.name == name } }
}
