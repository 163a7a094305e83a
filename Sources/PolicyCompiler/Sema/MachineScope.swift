import Diagnostics

/// The nodes and clusters of one vpxi: the scope in which links, grants and tests name
/// machines.
struct MachineScope {
    struct Group {
        /// Indices of its machines in the vpxi.
        let machines: Range<Int>
        let isCluster: Bool
        let range: SourceRange
    }

    private(set) var groups: [String: Group] = [:]
    private(set) var order: [String] = []

    mutating func add(_ name: String, _ group: Group) {
        groups[name] = group
        order.append(name)
    }

    subscript(name: String) -> Group? { groups[name] }
}
