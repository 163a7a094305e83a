/// An immutable list of syntax-tree values stored in a shared `SlabChunk`: the
/// many small lists of a policy (the properties of each host, the names after
/// `trusted-by`, ...) cost 16 bytes each and no allocation of their own.
///
/// It is a value: it never changes, and keeps its chunk alive.
public struct SlabList<Element>: RandomAccessCollection {
    let chunk: SlabChunk<Element>?
    let offset: Int32
    let length: Int32

    init(chunk: SlabChunk<Element>?, offset: Int32, length: Int32) {
        self.chunk = chunk
        self.offset = offset
        self.length = length
    }

    /// The empty list.
    public init() {
        self.init(chunk: nil, offset: 0, length: 0)
    }

    /// A list holding `elements` (in a chunk of its own).
    public init<S: Sequence>(_ elements: S) where S.Element == Element {
        var slab = Slab<Element>()
        self = slab.store(Array(elements))
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { Int(length) }

    public subscript(position: Int) -> Element {
        precondition(position >= 0 && position < Int(length), "SlabList index out of range")
        return chunk.unsafelyUnwrapped.base[Int(offset) + position]
    }
}

extension SlabList: Sendable where Element: Sendable {}

extension SlabList: Equatable where Element: Equatable {
    public static func == (lhs: SlabList, rhs: SlabList) -> Bool {
        lhs.elementsEqual(rhs)
    }
}

extension SlabList: Hashable where Element: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for element in self { hasher.combine(element) }
    }
}

extension SlabList: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Element...) {
        self.init(elements)
    }
}

extension SlabList: CustomStringConvertible {
    public var description: String { Array(self).description }
}
