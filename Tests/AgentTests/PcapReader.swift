import Foundation

/// Reads the UDP payloads of IPv4 frames from a classic pcap file (Ethernet link type).
enum PcapReader {
    static func udpPayloads(path: String) throws -> [[UInt8]] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        guard bytes.count >= 24 else { return [] }
        let swapped = bytes[0] == 0xd4  // written little-endian
        func u32(_ at: Int) -> Int {
            let v = bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) }
            return swapped ? Int(UInt32(v).byteSwapped) : v
        }
        var offset = 24
        var payloads = [[UInt8]]()
        while offset + 16 <= bytes.count {
            let length = u32(offset + 8)
            let frame = offset + 16
            offset = frame + length
            guard offset <= bytes.count, length > 14 + 20 + 8 else { continue }
            guard bytes[frame + 12] == 0x08, bytes[frame + 13] == 0x00 else { continue }
            let ip = frame + 14
            let headerLength = Int(bytes[ip] & 0x0f) * 4
            guard bytes[ip + 9] == 17 else { continue }
            let udp = ip + headerLength
            let udpLength = Int(bytes[udp + 4]) << 8 | Int(bytes[udp + 5])
            payloads.append(Array(bytes[(udp + 8)..<min(udp + udpLength, offset)]))
        }
        return payloads
    }
}
