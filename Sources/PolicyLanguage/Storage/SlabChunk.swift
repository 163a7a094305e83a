/// A block of memory holding the elements of many `SlabList`s, filled once by the
/// parser and then never changed.
///
/// `@unchecked Sendable`: elements are written only while the parser owns the
/// chunk and before any list referring to them exists; afterwards the chunk is
/// read-only.
final class SlabChunk<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
    let capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        self.base = UnsafeMutablePointer<Element>.allocate(capacity: capacity)
    }

    var free: Int { capacity - count }

    /// Copies `elements` to the end; returns where they start.
    func append(_ elements: UnsafeBufferPointer<Element>) -> Int {
        precondition(elements.count <= free, "SlabChunk overflow")
        let start = count
        (base + start).initialize(from: elements.baseAddress!, count: elements.count)
        count += elements.count
        return start
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }
}
