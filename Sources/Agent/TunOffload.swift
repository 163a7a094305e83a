/// TCP segmentation and checksum completion for a TUN device with offloads
/// (`IFF_VNET_HDR`, `TUN_F_CSUM | TUN_F_TSO6`): the kernel hands the agent TCP segments of up
/// to 64 KiB with a `virtio_net_hdr` in front, and leaves checksums for it to finish. The
/// agent cuts each large segment into MSS-sized ones, as a NIC would, before sealing each.
/// Inner packets are IPv6 between HITs with no extension headers.
public enum TunOffload {
    /// `struct virtio_net_hdr` (legacy, little-endian on the hosts the agent runs on).
    public struct Header: Sendable, Equatable {
        public var flags: UInt8
        public var gsoType: UInt8
        public var gsoSize: Int
        /// Length of the headers (IPv6 and TCP) in a segmentation request.
        public var headerLength: Int = 0
        public var checksumStart: Int
        public var checksumOffset: Int

        public static let length = 10
        public static let needsChecksum: UInt8 = 1
        /// `VIRTIO_NET_HDR_F_DATA_VALID`: the checksum need not be checked (CHECKSUM_UNNECESSARY).
        public static let dataValid: UInt8 = 2
        /// The header of a packet written whole whose contents ESP authenticated.
        public static let authenticated = Header(flags: dataValid)
        public static let gsoNone: UInt8 = 0
        public static let gsoTCPv6: UInt8 = 4
        public static let gsoECN: UInt8 = 0x80

        public init(flags: UInt8 = 0, gsoType: UInt8 = 0, gsoSize: Int = 0, checksumStart: Int = 0, checksumOffset: Int = 0) {
            self.flags = flags
            self.gsoType = gsoType
            self.gsoSize = gsoSize
            self.checksumStart = checksumStart
            self.checksumOffset = checksumOffset
        }

        public init(_ raw: UnsafeRawBufferPointer) {
            func word(_ at: Int) -> Int { Int(raw[at]) | Int(raw[at + 1]) << 8 }
            self.init(flags: raw[0], gsoType: raw[1], gsoSize: word(4), checksumStart: word(6), checksumOffset: word(8))
            headerLength = word(2)
        }

        /// Writes the header (used by tests and for the zero header in front of written packets).
        public func write(to raw: UnsafeMutableRawBufferPointer) {
            for index in 0..<Self.length { raw[index] = 0 }
            raw[0] = flags
            raw[1] = gsoType
            for (at, value) in [(2, headerLength), (4, gsoSize), (6, checksumStart), (8, checksumOffset)] {
                raw[at] = UInt8(truncatingIfNeeded: value)
                raw[at + 1] = UInt8(truncatingIfNeeded: value >> 8)
            }
        }
    }

    /// Calls `body` with each IPv6 packet `packet` stands for: itself with its checksum
    /// completed, or, for a TCP segmentation request, each segment built in `scratch` (at
    /// least 40 + 60 + `gsoSize` bytes) with its own length, sequence number, flags and
    /// checksum. Returns false, calling nothing, for a request it cannot honour.
    @discardableResult
    public static func forEachPacket(_ header: Header, _ packet: UnsafeMutableRawBufferPointer,
                                     scratch: UnsafeMutableRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        let gso = header.gsoType & ~Header.gsoECN
        if gso == Header.gsoNone {
            if header.flags & Header.needsChecksum != 0 {
                let start = header.checksumStart, field = header.checksumStart + header.checksumOffset
                guard start < packet.count, field + 2 <= packet.count else { return false }
                let sum = fold(checksumSum(UnsafeRawBufferPointer(rebasing: packet[start...])))
                var value = ~sum
                if value == 0 && packet[6] == 17 { value = 0xFFFF }  // UDP: 0 means "no checksum"
                packet.storeBytes(of: value.bigEndian, toByteOffset: field, as: UInt16.self)
            }
            body(UnsafeRawBufferPointer(packet))
            return true
        }
        return forEachSegment(header, UnsafeRawBufferPointer(packet), headers: scratch) { headers, data in
            // The segment whole in `scratch`: its headers are already there, the data follows.
            UnsafeMutableRawBufferPointer(rebasing: scratch[headers.count..<(headers.count + data.count)]).copyMemory(from: data)
            body(UnsafeRawBufferPointer(rebasing: scratch[0..<(headers.count + data.count)]))
        }
    }

    /// For a TCP segmentation request (`gsoTCPv6`), calls `body` with each segment as two
    /// parts: its IPv6 and TCP headers, built at the start of `headers` (at least 40 + 60 +
    /// `gsoSize` bytes, so that the data can follow them there) with the segment's length,
    /// sequence number, flags and checksum; and its data where it lies in `packet`, not copied.
    /// Returns false, calling nothing, for anything else or a request it cannot honour.
    @discardableResult
    public static func forEachSegment(_ header: Header, _ packet: UnsafeRawBufferPointer, headers scratch: UnsafeMutableRawBufferPointer,
                                      _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) -> Bool {
        let ipv6 = 40
        guard header.gsoType & ~Header.gsoECN == Header.gsoTCPv6, header.gsoSize > 0, packet.count >= ipv6 + 20,
              packet[0] >> 4 == 6, packet[6] == 6 else {
            return false
        }
        let tcpLength = Int(packet[ipv6 + 12] >> 4) * 4
        let headers = ipv6 + tcpLength
        guard tcpLength >= 20, headers <= packet.count, scratch.count >= headers + header.gsoSize else { return false }
        let sequence = UInt32(bigEndian: packet.loadUnaligned(fromByteOffset: ipv6 + 4, as: UInt32.self))
        let flags = packet[ipv6 + 13]
        UnsafeMutableRawBufferPointer(rebasing: scratch[0..<headers]).copyMemory(from: UnsafeRawBufferPointer(rebasing: packet[0..<headers]))
        var offset = headers
        while offset < packet.count {
            let chunk = min(header.gsoSize, packet.count - offset)
            let first = offset == headers, last = offset + chunk == packet.count
            let payloadLength = tcpLength + chunk
            scratch.storeBytes(of: UInt16(payloadLength).bigEndian, toByteOffset: 4, as: UInt16.self)
            scratch.storeBytes(of: (sequence &+ UInt32(truncatingIfNeeded: offset - headers)).bigEndian, toByteOffset: ipv6 + 4, as: UInt32.self)
            var segmentFlags = flags
            if !last { segmentFlags &= ~0x09 }  // FIN and PSH only on the last segment
            if !first { segmentFlags &= ~0x80 }  // CWR only on the first
            scratch[ipv6 + 13] = segmentFlags
            scratch.storeBytes(of: UInt16(0), toByteOffset: ipv6 + 16, as: UInt16.self)
            let segmentHeaders = UnsafeRawBufferPointer(rebasing: scratch[0..<headers])
            let data = UnsafeRawBufferPointer(rebasing: packet[offset..<(offset + chunk)])
            // The TCP header's length is a multiple of 4: the data's sum adds on as it is.
            let sum = pseudoHeaderSum(segmentHeaders, upperLength: payloadLength, nextHeader: 6)
                &+ checksumSum(UnsafeRawBufferPointer(rebasing: segmentHeaders[ipv6...])) &+ checksumSum(data)
            scratch.storeBytes(of: (~fold(sum)).bigEndian, toByteOffset: ipv6 + 16, as: UInt16.self)
            body(segmentHeaders, data)
            offset += chunk
        }
        return true
    }

    /// Whether the TCP or UDP checksum of an IPv6 packet (no extension headers) verifies.
    public static func checksumVerifies(_ packet: UnsafeRawBufferPointer) -> Bool {
        guard packet.count >= 40 else { return false }
        let sum = pseudoHeaderSum(packet, upperLength: packet.count - 40, nextHeader: packet[6])
            &+ checksumSum(UnsafeRawBufferPointer(rebasing: packet[40...]))
        return fold(sum) == 0xFFFF
    }

    /// The IPv6 pseudo-header's contribution (RFC 8200 section 8.1) to an upper-layer checksum.
    static func pseudoHeaderSum(_ packet: UnsafeRawBufferPointer, upperLength: Int, nextHeader: UInt8) -> UInt64 {
        var tail: (UInt32, UInt32) = (UInt32(upperLength).bigEndian, UInt32(nextHeader).bigEndian)
        return checksumSum(UnsafeRawBufferPointer(rebasing: packet[8..<40]))
            &+ withUnsafeBytes(of: &tail) { checksumSum($0) }
    }

    /// The ones' complement sum (RFC 1071) of `bytes`, as 16-bit big-endian words, not yet
    /// folded: summed in the machine's order (swapped back when folded), as 32-bit halves of
    /// 64-bit loads into four independent 64-bit accumulators, so that no carry is lost (each
    /// takes at most 2^33 per 32-byte round, far from overflowing for any packet) and the
    /// rounds do not wait on each other. `bytes` starts at an even offset of the packet.
    static func checksumSum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        guard count > 0, let base = bytes.baseAddress else { return 0 }
        @inline(__always) func halves(_ word: UInt64) -> UInt64 { (word & 0xFFFF_FFFF) &+ (word >> 32) }
        var s0: UInt64 = 0, s1: UInt64 = 0, s2: UInt64 = 0, s3: UInt64 = 0
        var index = 0
        let rounds = count & ~31
        while index < rounds {
            s0 &+= halves(base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            s1 &+= halves(base.loadUnaligned(fromByteOffset: index &+ 8, as: UInt64.self))
            s2 &+= halves(base.loadUnaligned(fromByteOffset: index &+ 16, as: UInt64.self))
            s3 &+= halves(base.loadUnaligned(fromByteOffset: index &+ 24, as: UInt64.self))
            index &+= 32
        }
        while index + 8 <= count {
            s0 &+= halves(base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            index &+= 8
        }
        // The last bytes, zero-padded, in their little-endian places.
        var rest: UInt64 = 0
        var shift: UInt64 = 0
        while index < count {
            rest |= UInt64(base.load(fromByteOffset: index, as: UInt8.self)) << shift
            shift &+= 8
            index &+= 1
        }
        s1 &+= halves(rest)
        // Fold to 32 bits here so that sums of several ranges can be added without overflow.
        var folded = s0 &+ s1 &+ s2 &+ s3
        folded = (folded & 0xFFFF_FFFF) &+ (folded >> 32)
        folded = (folded & 0xFFFF_FFFF) &+ (folded >> 32)
        return folded
    }

    /// Folds a sum of `checksumSum` values to 16 bits, in network order's value.
    static func fold(_ sum: UInt64) -> UInt16 {
        var value = sum
        while value > 0xFFFF { value = (value & 0xFFFF) + (value >> 16) }
        return UInt16(value).byteSwapped  // the words were summed little-endian
    }
}
