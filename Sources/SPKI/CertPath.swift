/// The certs a tuple was reduced from, in chain order, as a persistent list: extending a
/// path by one cert is O(1) and shares the rest, so reducing a chain of n certs costs O(n)
/// memory rather than O(n²).
public struct CertPath: Hashable, Sendable {
    // @unchecked: `parent` is set once at creation and only cleared in `deinit`, when no
    // one else can see the node.
    final class Node: @unchecked Sendable {
        let index: Int
        var parent: Node?

        init(index: Int, parent: Node?) {
            self.index = index
            self.parent = parent
        }

        /// Releases a long list iteratively rather than by recursion.
        deinit {
            var link = parent
            parent = nil
            while isKnownUniquelyReferenced(&link) {
                let next = link?.parent
                link?.parent = nil
                link = next
            }
        }
    }

    private var last: Node?
    /// The number of certs.
    public private(set) var count: Int

    /// The empty path.
    public init() {
        last = nil
        count = 0
    }

    public init(_ indices: [Int]) {
        self.init()
        for index in indices { append(index) }
    }

    public var isEmpty: Bool { count == 0 }

    public mutating func append(_ index: Int) {
        last = Node(index: index, parent: last)
        count += 1
    }

    /// Appends the certs of `other` that are not already on this path.
    public mutating func append(contentsOf other: CertPath, skippingDuplicates: Bool = false) {
        // One cert (a cert's own tuple, the usual case in a reduction): no array.
        if other.count == 1, let node = other.last, !skippingDuplicates {
            append(node.index)
            return
        }
        let existing = skippingDuplicates ? Set(indices) : []
        for index in other.indices where !existing.contains(index) { append(index) }
    }

    /// The cert indices, first to last.
    public var indices: [Int] {
        var out = [Int](repeating: 0, count: count)
        var node = last
        var position = count - 1
        while let current = node {
            out[position] = current.index
            position -= 1
            node = current.parent
        }
        return out
    }

    public static func == (lhs: CertPath, rhs: CertPath) -> Bool {
        lhs.count == rhs.count && (lhs.last === rhs.last || lhs.indices == rhs.indices)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(indices)
    }
}
