/// The properties of hosts, nodes, clusters, links and vpxis.
public enum PropertyKeyword: UInt8, Sendable, CaseIterable {
    case locator, cpus, memory, disk, hypervisor, registeredWith, trustedBy, site, bandwidth, latency
    case cost, function, image, protect, owner, registrar, window, certificates, require, confidentiality
    case maxCost

    public var spelling: String { keyword.spelling }

    /// The keyword token that introduces the property.
    public var keyword: Keyword {
        switch self {
        case .locator: return .locator
        case .cpus: return .cpus
        case .memory: return .memory
        case .disk: return .disk
        case .hypervisor: return .hypervisor
        case .registeredWith: return .registeredWith
        case .trustedBy: return .trustedBy
        case .site: return .site
        case .bandwidth: return .bandwidth
        case .latency: return .latency
        case .cost: return .cost
        case .function: return .function
        case .image: return .image
        case .protect: return .protect
        case .owner: return .owner
        case .registrar: return .registrar
        case .window: return .window
        case .certificates: return .certificates
        case .require: return .require
        case .confidentiality: return .confidentiality
        case .maxCost: return .maxCost
        }
    }

    public init?(_ keyword: Keyword) {
        guard let match = Self.byKeyword[Int(keyword.rawValue)] else { return nil }
        self = match
    }

    private static let byKeyword: [PropertyKeyword?] = {
        var table = [PropertyKeyword?](repeating: nil, count: Keyword.allCases.count)
        for property in PropertyKeyword.allCases { table[Int(property.keyword.rawValue)] = property }
        return table
    }()
}
