/// The anti-replay window of an inbound SA (RFC 4303 section 3.4.3 and appendix A).
///
/// With extended sequence numbers only the low 32 bits travel in the packet; the high
/// 32 bits are inferred from the window (appendix A.2). Sequence number 0 is never valid.
public struct ReplayWindow: Sendable, Equatable {
    /// The number of packets the window covers.
    public let size: UInt64
    /// Whether the SA uses 64-bit (extended) sequence numbers.
    public let extended: Bool
    /// The highest sequence number authenticated so far (0: none yet).
    public private(set) var top: UInt64 = 0
    private var bits: [UInt64]

    public init(size: Int = 64, extended: Bool = true) {
        let size = max(1, size)
        self.size = UInt64(size)
        self.extended = extended
        bits = Array(repeating: 0, count: (size + 63) / 64)
    }

    private var capacity: UInt64 { UInt64(bits.count) * 64 }

    /// The full sequence number for the low 32 bits received (RFC 4303 A.2.1).
    public func infer(low: UInt32) -> UInt64 {
        guard extended else { return UInt64(low) }
        let tl = UInt32(truncatingIfNeeded: top)
        let th = UInt32(truncatingIfNeeded: top >> 32)
        let w = UInt32(truncatingIfNeeded: min(size, UInt64(UInt32.max)))
        let bottom = tl &- w &+ 1
        var high = th
        if tl >= w - 1 {
            // The window lies within one 2^32 subspace.
            if low < bottom { high = th &+ 1 }
        } else {
            // The window spans two subspaces.
            if low >= bottom { high = th &- 1 }
        }
        if high == UInt32.max && th == 0 { return UInt64(low) }  // no wrap below 0
        return UInt64(high) << 32 | UInt64(low)
    }

    /// Whether `sequence` may be accepted (not yet seen, not left of the window).
    public func check(_ sequence: UInt64) -> Bool {
        if sequence == 0 { return false }
        if sequence > top { return true }
        let age = top - sequence
        if age >= size { return false }
        return !bit(sequence)
    }

    /// Records `sequence` as seen. Call only after the ICV verified.
    public mutating func accept(_ sequence: UInt64) {
        if sequence > top {
            let advance = sequence - top
            if advance >= capacity {
                for index in bits.indices { bits[index] = 0 }
            } else {
                var s = top &+ 1
                while s <= sequence {
                    clear(s)
                    s &+= 1
                }
            }
            top = sequence
        }
        set(sequence)
    }

    private func bit(_ s: UInt64) -> Bool {
        let i = s % capacity
        return bits[Int(i / 64)] & (1 << (i % 64)) != 0
    }

    private mutating func set(_ s: UInt64) {
        let i = s % capacity
        bits[Int(i / 64)] |= 1 << (i % 64)
    }

    private mutating func clear(_ s: UInt64) {
        let i = s % capacity
        bits[Int(i / 64)] &= ~(1 << (i % 64))
    }
}
