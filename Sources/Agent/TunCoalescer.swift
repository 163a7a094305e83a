import Foundation

/// Receive-side coalescing for the offloading TUN device (what GRO does in a NIC driver):
/// consecutive inbound TCP segments of one flow are joined into one large segment written
/// with a `virtio_net_hdr` asking for TCP segmentation, so the kernel's TCP receive path runs
/// once per run instead of once per segment. Anything else passes through unchanged, in order.
///
/// Segments join a run when they continue it exactly: same addresses and TCP header (ports,
/// acknowledgement, window, options) but for the sequence number, flags ACK or ACK|PSH, no
/// segment longer than the first, none after a shorter one or after PSH, at most 64 KiB.
/// Every packet is written with `VIRTIO_NET_HDR_F_DATA_VALID` (or, for a run, a partial
/// checksum): ESP authenticated it, so the kernel does not check its checksum again.
/// A segment so large that no second one of its size fits in a run is written at once,
/// from where it lies (no copy), as is any packet that cannot start a run.
public final class TunCoalescer {
    /// Called with each packet to write, `virtio_net_hdr` first: `head` followed by `tail`
    /// (which may be empty). Both are valid only during the call.
    public typealias Sink = (_ head: UnsafeRawBufferPointer, _ tail: UnsafeRawBufferPointer) -> Void
    private let buffer: UnsafeMutableRawBufferPointer
    /// The vnet and IPv6 headers of a packet written from where its payload lies.
    private let passHeader: UnsafeMutableRawBufferPointer
    private let sink: Sink
    private static let vnet = TunOffload.Header.length
    private static let ipv6 = 40
    /// The IPv6 payload limit of the joined segment.
    static let limit = 65535
    /// The run being built: its total length (from the IPv6 header), the TCP header length,
    /// the payload length of the first segment, of the last, the next sequence number, and
    /// how many segments it holds.
    private struct Run {
        var length = 0
        var tcpLength = 0
        var segmentSize = 0
        var lastSize = 0
        var nextSequence: UInt32 = 0
        var segments = 0
    }
    /// Held through a pointer: the coalescer belongs to one thread, and a class's stored
    /// `var`s would cost a dynamic exclusivity check on every access, several per packet.
    private let state: UnsafeMutablePointer<Run>

    public init(sink: @escaping Sink) {
        buffer = .allocate(byteCount: Self.vnet + Self.ipv6 + Self.limit + 64, alignment: 16)
        passHeader = .allocate(byteCount: Self.vnet + Self.ipv6, alignment: 16)
        state = .allocate(capacity: 1)
        state.initialize(to: Run())
        self.sink = sink
    }

    deinit {
        buffer.deallocate()
        passHeader.deallocate()
        state.deallocate()
    }

    /// Adds one inbound IPv6 packet (no vnet header); it may be held until `flush()`.
    public func add(_ packet: UnsafeRawBufferPointer) {
        guard packet.count >= Self.ipv6 else {
            flush()
            TunOffload.Header.authenticated.write(to: UnsafeMutableRawBufferPointer(rebasing: passHeader[0..<Self.vnet]))
            sink(UnsafeRawBufferPointer(rebasing: passHeader[0..<Self.vnet]), packet)
            return
        }
        add(header: UnsafeRawBufferPointer(rebasing: packet[0..<Self.ipv6]), payload: UnsafeRawBufferPointer(rebasing: packet[Self.ipv6...]))
    }

    /// Adds one inbound IPv6 packet given as its 40-byte header and its payload, wherever
    /// they lie; it may be copied and held until `flush()`.
    public func add(header: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) {
        guard let tcp = Self.tcpHeaderLength(header: header, payload: payload) else {
            flush()
            write(header: header, payload: payload)
            return
        }
        let data = payload.count - tcp
        let flags = payload[13]
        let sequence = UInt32(bigEndian: payload.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        if state.pointee.segments > 0, continues(header: header, payload: payload, tcp: tcp, data: data, sequence: sequence) {
            let run = UnsafeMutableRawBufferPointer(rebasing: buffer[Self.vnet...])
            UnsafeMutableRawBufferPointer(rebasing: run[state.pointee.length..<(state.pointee.length + data)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: payload[tcp...]))
            run[Self.ipv6 + 13] |= flags  // PSH of the last segment
            state.pointee.length += data
            state.pointee.lastSize = data
            state.pointee.nextSequence = sequence &+ UInt32(data)
            state.pointee.segments += 1
            return
        }
        flush()
        // Only pure data segments (ACK, perhaps PSH) start a run; others go as they are, and
        // so does one that leaves no room for a second segment of its size.
        guard flags & ~0x18 == 0, flags & 0x10 != 0, data > 0, flags & 0x08 == 0, payload.count + data <= Self.limit else {
            write(header: header, payload: payload)
            return
        }
        let run = UnsafeMutableRawBufferPointer(rebasing: buffer[Self.vnet...])
        UnsafeMutableRawBufferPointer(rebasing: run[0..<Self.ipv6]).copyMemory(from: header)
        UnsafeMutableRawBufferPointer(rebasing: run[Self.ipv6..<(Self.ipv6 + payload.count)]).copyMemory(from: payload)
        state.pointee.length = Self.ipv6 + payload.count
        state.pointee.tcpLength = tcp
        state.pointee.segmentSize = data
        state.pointee.lastSize = data
        state.pointee.nextSequence = sequence &+ UInt32(data)
        state.pointee.segments = 1
    }

    /// Writes the run being built, if any.
    public func flush() {
        guard state.pointee.segments > 0 else { return }
        let run = UnsafeMutableRawBufferPointer(rebasing: buffer[Self.vnet..<(Self.vnet + state.pointee.length)])
        var header = TunOffload.Header.authenticated
        if state.pointee.segments > 1 {
            let payload = state.pointee.length - Self.ipv6
            run.storeBytes(of: UInt16(payload).bigEndian, toByteOffset: 4, as: UInt16.self)
            // CHECKSUM_PARTIAL: the field holds the pseudo-header sum; the payload was authenticated by ESP.
            let partial = TunOffload.fold(TunOffload.pseudoHeaderSum(UnsafeRawBufferPointer(run), upperLength: payload, nextHeader: 6))
            run.storeBytes(of: partial.bigEndian, toByteOffset: Self.ipv6 + 16, as: UInt16.self)
            header = TunOffload.Header(flags: TunOffload.Header.needsChecksum, gsoType: TunOffload.Header.gsoTCPv6,
                                       gsoSize: state.pointee.segmentSize, checksumStart: Self.ipv6, checksumOffset: 16)
            header.headerLength = Self.ipv6 + state.pointee.tcpLength
        }
        header.write(to: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Self.vnet]))
        state.pointee.segments = 0
        sink(UnsafeRawBufferPointer(rebasing: buffer[0..<(Self.vnet + state.pointee.length)]), UnsafeRawBufferPointer(start: nil, count: 0))
    }

    /// Writes a packet as it is, from where its payload lies.
    private func write(header: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) {
        TunOffload.Header.authenticated.write(to: UnsafeMutableRawBufferPointer(rebasing: passHeader[0..<Self.vnet]))
        UnsafeMutableRawBufferPointer(rebasing: passHeader[Self.vnet...]).copyMemory(from: header)
        sink(UnsafeRawBufferPointer(passHeader), payload)
    }

    /// Whether the packet extends the run exactly.
    private func continues(header: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, tcp: Int, data: Int, sequence: UInt32) -> Bool {
        let run = UnsafeRawBufferPointer(rebasing: buffer[Self.vnet...])
        let flags = payload[13]
        let current = state.pointee
        guard tcp == current.tcpLength, data > 0, data <= current.segmentSize, current.lastSize == current.segmentSize,
              sequence == current.nextSequence, flags & ~0x08 == 0x10, run[Self.ipv6 + 13] & 0x08 == 0,
              current.length + data <= Self.limit + Self.ipv6 else { return false }
        // Addresses, then the TCP header but for sequence (4..<8), flags (13) and checksum (16..<18).
        func same(_ range: Range<Int>, _ part: UnsafeRawBufferPointer, at offset: Int) -> Bool {
            memcmp(run.baseAddress! + offset + range.lowerBound, part.baseAddress! + range.lowerBound, range.count) == 0
        }
        let t = Self.ipv6
        return same(8..<40, header, at: 0) && same(0..<4, payload, at: t) && same(8..<13, payload, at: t)
            && same(14..<16, payload, at: t) && same(18..<tcp, payload, at: t)
    }

    /// The TCP header length of an IPv6 TCP packet with no extension headers; nil otherwise.
    private static func tcpHeaderLength(header: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) -> Int? {
        guard header.count == ipv6, payload.count >= 20, header[0] >> 4 == 6, header[6] == 6 else { return nil }
        let tcp = Int(payload[12] >> 4) * 4
        guard tcp >= 20, tcp <= payload.count, Int(header[4]) << 8 | Int(header[5]) == payload.count else { return nil }
        return tcp
    }
}
