import Foundation

/// Receive-side coalescing for the offloading TUN device (what GRO does in a NIC driver):
/// consecutive inbound TCP segments of one flow are joined into one large segment written
/// with a `virtio_net_hdr` asking for TCP segmentation, so the kernel's TCP receive path runs
/// once per run instead of once per segment. Anything else passes through unchanged, in order.
///
/// Segments join a run when they continue it exactly: same addresses and TCP header (ports,
/// acknowledgement, window, options) but for the sequence number, flags ACK or ACK|PSH, no
/// segment longer than the first, none after a shorter one or after PSH, at most 64 KiB.
public final class TunCoalescer {
    /// Called with each packet to write, `virtio_net_hdr` first.
    public typealias Sink = (UnsafeRawBufferPointer) -> Void
    private let buffer: UnsafeMutableRawBufferPointer
    private let sink: Sink
    private static let vnet = TunOffload.Header.length
    private static let ipv6 = 40
    /// The IPv6 payload limit of the joined segment.
    static let limit = 65535
    // The run being built: its total length (from the IPv6 header), the TCP header length,
    // the payload length of the first segment, of the last, the next sequence number, and
    // how many segments it holds.
    private var length = 0
    private var tcpLength = 0
    private var segmentSize = 0
    private var lastSize = 0
    private var nextSequence: UInt32 = 0
    private var segments = 0

    public init(sink: @escaping Sink) {
        buffer = .allocate(byteCount: Self.vnet + Self.ipv6 + Self.limit + 64, alignment: 16)
        self.sink = sink
    }

    deinit { buffer.deallocate() }

    /// Adds one inbound IPv6 packet (no vnet header); it may be held until `flush()`.
    public func add(_ packet: UnsafeRawBufferPointer) {
        guard let tcp = Self.tcpHeaderLength(packet) else {
            flush()
            write(packet)
            return
        }
        let data = packet.count - Self.ipv6 - tcp
        let flags = packet[Self.ipv6 + 13]
        let sequence = UInt32(bigEndian: packet.loadUnaligned(fromByteOffset: Self.ipv6 + 4, as: UInt32.self))
        if segments > 0, continues(packet, tcp: tcp, data: data, sequence: sequence) {
            let run = UnsafeMutableRawBufferPointer(rebasing: buffer[Self.vnet...])
            UnsafeMutableRawBufferPointer(rebasing: run[length..<(length + data)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: packet[(Self.ipv6 + tcp)...]))
            run[Self.ipv6 + 13] |= flags  // PSH of the last segment
            length += data
            lastSize = data
            nextSequence = sequence &+ UInt32(data)
            segments += 1
            return
        }
        flush()
        // Only pure data segments (ACK, perhaps PSH) start a run; others go as they are.
        guard flags & ~0x18 == 0, flags & 0x10 != 0, data > 0, flags & 0x08 == 0 else {
            write(packet)
            return
        }
        UnsafeMutableRawBufferPointer(rebasing: buffer[Self.vnet..<(Self.vnet + packet.count)]).copyMemory(from: packet)
        length = packet.count
        tcpLength = tcp
        segmentSize = data
        lastSize = data
        nextSequence = sequence &+ UInt32(data)
        segments = 1
    }

    /// Writes the run being built, if any.
    public func flush() {
        guard segments > 0 else { return }
        let run = UnsafeMutableRawBufferPointer(rebasing: buffer[Self.vnet..<(Self.vnet + length)])
        var header = TunOffload.Header()
        if segments > 1 {
            let payload = length - Self.ipv6
            run.storeBytes(of: UInt16(payload).bigEndian, toByteOffset: 4, as: UInt16.self)
            // CHECKSUM_PARTIAL: the field holds the pseudo-header sum; the payload was authenticated by ESP.
            let partial = TunOffload.fold(TunOffload.pseudoHeaderSum(UnsafeRawBufferPointer(run), upperLength: payload, nextHeader: 6))
            run.storeBytes(of: partial.bigEndian, toByteOffset: Self.ipv6 + 16, as: UInt16.self)
            header = TunOffload.Header(flags: TunOffload.Header.needsChecksum, gsoType: TunOffload.Header.gsoTCPv6,
                                       gsoSize: segmentSize, checksumStart: Self.ipv6, checksumOffset: 16)
            header.headerLength = Self.ipv6 + tcpLength
        }
        header.write(to: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Self.vnet]))
        segments = 0
        sink(UnsafeRawBufferPointer(rebasing: buffer[0..<(Self.vnet + length)]))
    }

    private func write(_ packet: UnsafeRawBufferPointer) {
        TunOffload.Header().write(to: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Self.vnet]))
        UnsafeMutableRawBufferPointer(rebasing: buffer[Self.vnet..<(Self.vnet + packet.count)]).copyMemory(from: packet)
        sink(UnsafeRawBufferPointer(rebasing: buffer[0..<(Self.vnet + packet.count)]))
    }

    /// Whether `packet` extends the run exactly.
    private func continues(_ packet: UnsafeRawBufferPointer, tcp: Int, data: Int, sequence: UInt32) -> Bool {
        let run = UnsafeRawBufferPointer(rebasing: buffer[Self.vnet...])
        let flags = packet[Self.ipv6 + 13]
        guard tcp == tcpLength, data > 0, data <= segmentSize, lastSize == segmentSize, sequence == nextSequence,
              flags & ~0x08 == 0x10, run[Self.ipv6 + 13] & 0x08 == 0, length + data <= Self.limit + Self.ipv6 else { return false }
        // Addresses, then the TCP header but for sequence (4..<8), flags (13) and checksum (16..<18).
        func same(_ range: Range<Int>) -> Bool {
            memcmp(run.baseAddress! + range.lowerBound, packet.baseAddress! + range.lowerBound, range.count) == 0
        }
        let t = Self.ipv6
        return same(8..<40) && same(t..<(t + 4)) && same((t + 8)..<(t + 13)) && same((t + 14)..<(t + 16))
            && same((t + 18)..<(t + tcp))
    }

    /// The TCP header length of an IPv6 TCP packet with no extension headers; nil otherwise.
    private static func tcpHeaderLength(_ packet: UnsafeRawBufferPointer) -> Int? {
        guard packet.count >= ipv6 + 20, packet[0] >> 4 == 6, packet[6] == 6 else { return nil }
        let tcp = Int(packet[ipv6 + 12] >> 4) * 4
        guard tcp >= 20, ipv6 + tcp <= packet.count, Int(packet[4]) << 8 | Int(packet[5]) == packet.count - ipv6 else { return nil }
        return tcp
    }
}
