/// A principal as the key store names it.
///
/// Registrars, users and hosts are named by their name (`lyon`, `alice`,
/// `capricorne-01`); a virtual machine by its vpxi and its name
/// (`bronze-standard/worker[3]`). In a key store directory, the private key of a principal
/// is `NAME.key` and its public key `NAME.pub`: `lyon.key`, `bronze-standard/worker[3].key`.
public enum PrincipalName: Hashable, Sendable, CustomStringConvertible {
    case registrar(String)
    case user(String)
    case host(String)
    case machine(vpxi: String, machine: String)

    /// The path of its files in a key store directory, without the extension.
    public var storePath: String {
        switch self {
        case .registrar(let name), .user(let name), .host(let name): return name
        case .machine(let vpxi, let machine): return "\(vpxi)/\(machine)"
        }
    }

    public var kind: String {
        switch self {
        case .registrar: return "registrar"
        case .user: return "user"
        case .host: return "host"
        case .machine: return "machine"
        }
    }

    /// `lyon`, `bronze-standard/worker[3]`.
    public var description: String { storePath }
}
