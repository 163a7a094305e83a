/// BEET mode (RFC 7402): the inner IPv6 header between HITs is not sent; the receiver
/// rebuilds it from the SA's HITs. ESP carries the upper-layer payload and its protocol.
public enum BEETPacket {
    public static let ipv6HeaderLength = 40
    /// The hop limit of rebuilt inner headers.
    public static let hopLimit: UInt8 = 64

    /// The parts of an inner IPv6 packet read from the TUN device.
    public struct Inner: Sendable, Equatable {
        public let source: HIT
        public let destination: HIT
        public let nextHeader: UInt8
        /// Offset of the upper-layer payload in the packet.
        public let payloadOffset: Int
    }

    /// Parses an IPv6 packet; `nil` for anything that is not IPv6 or is truncated.
    public static func parse(_ packet: UnsafeRawBufferPointer) -> Inner? {
        guard packet.count >= ipv6HeaderLength, packet[0] >> 4 == 6 else { return nil }
        let payloadLength = Int(packet[4]) << 8 | Int(packet[5])
        guard ipv6HeaderLength + payloadLength <= packet.count else { return nil }
        return Inner(source: HIT(bytes: packet[8..<24]), destination: HIT(bytes: packet[24..<40]),
                     nextHeader: packet[6], payloadOffset: ipv6HeaderLength)
    }

    /// The inner IPv6 header for `payloadLength` bytes of protocol `nextHeader` from `source` to `destination`.
    public static func header(source: HIT, destination: HIT, nextHeader: UInt8, payloadLength: Int) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: ipv6HeaderLength)
        header.withUnsafeMutableBytes {
            writeHeader(into: $0, source: source, destination: destination, nextHeader: nextHeader, payloadLength: payloadLength)
        }
        return header
    }

    /// Writes the inner IPv6 header at the start of `buffer` (at least 40 bytes).
    public static func writeHeader(into buffer: UnsafeMutableRawBufferPointer, source: HIT, destination: HIT,
                                   nextHeader: UInt8, payloadLength: Int) {
        buffer.storeBytes(of: UInt32(0x6000_0000).bigEndian, toByteOffset: 0, as: UInt32.self)
        buffer[4] = UInt8(truncatingIfNeeded: payloadLength >> 8)
        buffer[5] = UInt8(truncatingIfNeeded: payloadLength)
        buffer[6] = nextHeader
        buffer[7] = hopLimit
        UnsafeMutableRawBufferPointer(rebasing: buffer[8..<24]).copyBytes(from: source.bytes)
        UnsafeMutableRawBufferPointer(rebasing: buffer[24..<40]).copyBytes(from: destination.bytes)
    }

    /// Writes the inner IPv6 header at the start of `buffer` from an SA's raw addresses.
    static func writeHeader(into buffer: UnsafeMutableRawBufferPointer, addresses: InnerAddresses, nextHeader: UInt8, payloadLength: Int) {
        buffer.storeBytes(of: UInt32(0x6000_0000).bigEndian, toByteOffset: 0, as: UInt32.self)
        buffer[4] = UInt8(truncatingIfNeeded: payloadLength >> 8)
        buffer[5] = UInt8(truncatingIfNeeded: payloadLength)
        buffer[6] = nextHeader
        buffer[7] = hopLimit
        buffer.storeBytes(of: addresses, toByteOffset: 8, as: InnerAddresses.self)
    }
}

/// The 32 address bytes of an inner IPv6 header (source, then destination), stored inline.
struct InnerAddresses: Sendable {
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init(source: HIT, destination: HIT) {
        withUnsafeMutableBytes(of: &words) { raw in
            raw.copyBytes(from: source.bytes + destination.bytes)
        }
    }
}
