/// Hands out `SlabList`s, filling chunks that grow from 16 to 2048 elements, so
/// that small files stay small and large ones need few allocations.
struct Slab<Element> {
    private var current: SlabChunk<Element>?
    private var nextCapacity = 16

    init() {}

    /// Stores a copy of `elements` and returns the list of them.
    mutating func store(_ elements: [Element]) -> SlabList<Element> {
        guard !elements.isEmpty else { return SlabList() }
        if current == nil || current!.free < elements.count {
            current = SlabChunk(capacity: max(nextCapacity, elements.count))
            nextCapacity = min(nextCapacity * 2, 2048)
        }
        let chunk = current!
        let start = elements.withUnsafeBufferPointer { chunk.append($0) }
        return SlabList(chunk: chunk, offset: Int32(start), length: Int32(elements.count))
    }
}
