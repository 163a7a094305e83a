/// The kinds of block that hold properties, and which properties each allows.
public enum BlockKind: String, Sendable {
    case host, node, cluster, link, vpxi

    /// The properties allowed in this kind of block, in canonical order.
    public var allowedProperties: [PropertyKeyword] {
        switch self {
        case .host:
            return [.locator, .cpus, .memory, .disk, .hypervisor, .registeredWith, .trustedBy, .site, .bandwidth, .cost]
        case .node, .cluster:
            return [.function, .cpus, .memory, .disk, .image, .hypervisor, .site, .require]
        case .link:
            return [.bandwidth, .latency, .protect]
        case .vpxi:
            return [.owner, .registrar, .window, .certificates, .require, .confidentiality, .maxCost]
        }
    }

    public func allows(_ property: PropertyKeyword) -> Bool {
        allowedProperties.contains(property)
    }

    /// The kinds of block that do allow `property`, for help messages.
    public static func owners(of property: PropertyKeyword) -> [BlockKind] {
        [.host, .node, .cluster, .link, .vpxi].filter { $0.allows(property) }
    }
}
