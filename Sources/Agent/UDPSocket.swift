import CAgentIO
import Foundation

/// The outer UDP socket carrying ESP (RFC 3948 framing: the UDP payload is the ESP packet;
/// a payload starting with four zero bytes is not ESP, and a one-byte 0xFF is a NAT keepalive).
///
/// The socket has the family of its local locator. An IPv6 socket is dual-stack: bound to
/// `::` it also carries IPv4 peers (as `::ffff:a.b.c.d`); an IPv4 socket reaches IPv4 peers only.
/// Datagrams move in batches (`sendmmsg`, `recvmmsg`): one system call for up to 64.
public final class UDPSocket: Sendable {
    public let fd: Int32
    public let local: Locator
    /// The most datagrams one batch call moves.
    public static let batchLimit = Int(SPKIC_IO_BATCH)

    public init(bind local: Locator, bufferSize: Int32 = 8 << 20) throws(AgentError) {
        let family = local.isIPv6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw AgentError(.system, "socket: \(TunDevice.errnoText())") }
        var size = bufferSize
        var one: Int32 = 1
        var zero: Int32 = 0
        let intSize = socklen_t(MemoryLayout<Int32>.size)
        // SO_*BUFFORCE (root) lifts the rmem_max/wmem_max caps; the plain options are the fallback.
        if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, intSize) != 0 { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, intSize) }
        if setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, intSize) != 0 { setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, intSize) }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, intSize)
        if local.isIPv6 { setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, intSize) }
        let status = local.socketAddress.withSockaddr { bind(fd, $0, $1) }
        guard status == 0 else {
            let text = TunDevice.errnoText()
            close(fd)
            throw AgentError(.system, "bind \(local): \(text)")
        }
        self.fd = fd
        self.local = local
    }

    deinit { close(fd) }

    /// The address to send to `peer` on this socket; `nil` when the families cannot meet
    /// (an IPv6 peer on an IPv4 socket).
    public func destination(_ peer: Locator) -> SocketAddress? {
        if local.isIPv6 { return SocketAddress(peer, mappedToIPv6: true) }
        return peer.isIPv6 ? nil : SocketAddress(peer, mappedToIPv6: false)
    }

    /// Sends one datagram to `peer`.
    @discardableResult
    public func send(_ bytes: [UInt8], to peer: sockaddr_in) -> Bool {
        var peer = peer
        let sent = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        return sent == bytes.count
    }

    /// Sends a batch prepared in `batch` (its first `batch.count` datagrams). Returns how many left.
    @discardableResult
    public func send(_ batch: PacketBatch) -> Int {
        guard batch.count > 0 else { return 0 }
        let sent = spkic_send_batch(fd, batch.bufferPointers, batch.lengths, batch.addressPointers, batch.addressLengths,
                                    UInt32(batch.count))
        if sent < batch.count {
            // The socket buffer is full: wait for room once, then send the rest.
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            _ = poll(&pfd, 1, 10)
            let done = max(Int(sent), 0)
            let rest = spkic_send_batch(fd, batch.bufferPointers + done, batch.lengths + done, batch.addressPointers + done,
                                        batch.addressLengths + done, UInt32(batch.count - done))
            return done + max(Int(rest), 0)
        }
        return Int(sent)
    }

    /// Receives one datagram; 0 when none arrives within `timeout` ms.
    public func receive(into buffer: UnsafeMutableRawBufferPointer, timeout: Int32) -> Int {
        var n = recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
        if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, timeout) > 0 else { return 0 }
            n = recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
        }
        return max(n, 0)
    }

    /// Receives up to `batch.capacity` datagrams into `batch`, waiting up to `timeout` ms for
    /// the first. Returns how many arrived (their lengths are in `batch.lengths`).
    public func receive(into batch: PacketBatch, timeout: Int32) -> Int {
        var n = spkic_receive_batch(fd, batch.bufferPointers, batch.slotSize, batch.lengths, UInt32(batch.capacity))
        if n == 0 {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, timeout) > 0 else { return 0 }
            n = spkic_receive_batch(fd, batch.bufferPointers, batch.slotSize, batch.lengths, UInt32(batch.capacity))
        }
        return max(Int(n), 0)
    }
}
