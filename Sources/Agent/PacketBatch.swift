import Foundation

/// Preallocated packet buffers for one direction of the data plane: `capacity` slots of
/// `slotSize` bytes each, with the pointer and length arrays the batched system calls take.
/// Allocated once per data-plane thread and reused for every batch; owned by that thread.
public final class PacketBatch {
    public let capacity: Int
    public let slotSize: Int
    /// How many slots hold a packet. Kept behind a pointer: read and written several times per
    /// packet by the one thread that owns the batch, where a stored `var` of a class would
    /// cost a dynamic exclusivity check each time.
    public var count: Int {
        get { counter.pointee }
        set { counter.pointee = newValue }
    }
    private let counter: UnsafeMutablePointer<Int>
    private let storage: UnsafeMutableRawPointer
    let bufferPointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    /// Length of the packet in each slot.
    let lengths: UnsafeMutablePointer<Int>
    /// Inbound: the length of each datagram of a coalesced run in a slot (UDP GRO).
    let segmentSizes: UnsafeMutablePointer<Int>
    /// Destination of each slot (outbound batches).
    private let addresses: UnsafeMutablePointer<sockaddr_in6>
    let addressPointers: UnsafeMutablePointer<UnsafePointer<sockaddr>?>
    let addressLengths: UnsafeMutablePointer<socklen_t>

    public init(capacity: Int, slotSize: Int) {
        self.capacity = capacity
        self.slotSize = slotSize
        storage = UnsafeMutableRawPointer.allocate(byteCount: capacity * slotSize, alignment: 16)
        counter = .allocate(capacity: 1)
        counter.initialize(to: 0)
        bufferPointers = .allocate(capacity: capacity)
        lengths = .allocate(capacity: capacity)
        lengths.initialize(repeating: 0, count: capacity)
        segmentSizes = .allocate(capacity: capacity)
        segmentSizes.initialize(repeating: 0, count: capacity)
        addresses = .allocate(capacity: capacity)
        addresses.initialize(repeating: sockaddr_in6(), count: capacity)
        addressPointers = .allocate(capacity: capacity)
        addressLengths = .allocate(capacity: capacity)
        addressLengths.initialize(repeating: 0, count: capacity)
        for index in 0..<capacity {
            bufferPointers[index] = storage + index * slotSize
            addressPointers[index] = UnsafeRawPointer(addresses + index).assumingMemoryBound(to: sockaddr.self)
        }
    }

    deinit {
        storage.deallocate()
        counter.deallocate()
        bufferPointers.deallocate()
        lengths.deallocate()
        segmentSizes.deallocate()
        addresses.deallocate()
        addressPointers.deallocate()
        addressLengths.deallocate()
    }

    /// The whole buffer of slot `index`.
    public func slot(_ index: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: storage + index * slotSize, count: slotSize)
    }

    /// The packet in slot `index`.
    public func packet(_ index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + index * slotSize, count: lengths[index])
    }

    /// Records the packet of `length` bytes in slot `index`.
    public func setLength(_ length: Int, at index: Int) { lengths[index] = length }

    /// The datagrams in slot `index`: one, or several back to back when the kernel coalesced them.
    public func datagrams(_ index: Int) -> (packet: UnsafeRawBufferPointer, segmentSize: Int) {
        (packet(index), max(1, segmentSizes[index]))
    }

    /// Whether slots `i` and `j` go to the same address.
    func sameDestination(_ i: Int, _ j: Int) -> Bool {
        addressLengths[i] == addressLengths[j] && memcmp(addresses + i, addresses + j, Int(addressLengths[i])) == 0
    }

    /// Records the destination of slot `index`.
    public func setDestination(_ address: SocketAddress, at index: Int) {
        addresses[index] = address.storage
        addressLengths[index] = address.length
    }
}
