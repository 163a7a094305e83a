import CAgentIO
import Foundation

/// The outer UDP socket carrying ESP (RFC 3948 framing: the UDP payload is the ESP packet;
/// a payload starting with four zero bytes is not ESP, and a one-byte 0xFF is a NAT keepalive).
///
/// The socket has the family of its local locator. An IPv6 socket is dual-stack: bound to
/// `::` it also carries IPv4 peers (as `::ffff:a.b.c.d`); an IPv4 socket reaches IPv4 peers only.
/// Datagrams move in batches (`sendmmsg`, `recvmmsg`): one system call for up to 64; runs
/// of equal-sized datagrams to one peer go with UDP GSO, and the receive side takes
/// coalesced runs (UDP GRO) where the kernel offers them.
public final class UDPSocket: Sendable {
    public let fd: Int32
    public let local: Locator
    /// The most datagrams one batch call moves.
    public static let batchLimit = Int(SPKIC_IO_BATCH)
    /// How long `receiveWaiting` waits for a datagram, in milliseconds (the socket's `SO_RCVTIMEO`).
    public static let receiveWait: Int32 = 200
    /// Whether runs of datagrams are sent with UDP GSO (off after the kernel refused it once).
    private let segmentation = Locked(true)

    /// Whether this socket still sends runs with UDP GSO (for status and tests).
    public var sendsSegmentedRuns: Bool { segmentation.withLock { $0 } }

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
        // Coalesced receive (UDP GRO), best effort: runs of datagrams arrive in one slot.
        _ = spkic_enable_receive_coalescing(fd)
        // A blocking receive (`receiveWaiting`) gives up after this long.
        var wait = timeval(tv_sec: 0, tv_usec: Int(Self.receiveWait) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
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

    /// Sends the first `batch.count` datagrams of `batch`, in order. Runs of equal-sized
    /// datagrams to one peer go as one UDP GSO send (one trip through the stack for the run);
    /// the rest in `sendmmsg` batches. Returns how many were sent.
    @discardableResult
    public func send(_ batch: PacketBatch) -> Int {
        var sent = 0
        var pending = 0  // the first datagram not yet sent
        var index = 0
        while index < batch.count {
            let run = segmentation.withLock({ $0 }) ? runLength(batch, from: index) : 1
            if run < 2 {
                index += 1
                continue
            }
            sent += sendEach(batch, pending, index)
            let address = UnsafeRawPointer(batch.addressPointers[index]!).assumingMemoryBound(to: sockaddr.self)
            let result = spkic_send_segmented(fd, batch.bufferPointers + index, batch.lengths + index, UInt32(run),
                                              UInt32(batch.lengths[index]), address, batch.addressLengths[index])
            if result >= 0 {
                sent += run
            } else if errno == EIO || errno == EINVAL || errno == ENOPROTOOPT || errno == EOPNOTSUPP {
                segmentation.withLock { $0 = false }  // no UDP GSO here: sendmmsg from now on
                sent += sendEach(batch, index, index + run)
            } else {
                sent += sendEach(batch, index, index + run)  // full buffer: sendEach waits once
            }
            index += run
            pending = index
        }
        return sent + sendEach(batch, pending, batch.count)
    }


    /// The most bytes one GSO send carries (an IP packet's limit, less the headers).
    static let segmentedLimit = 65000

    /// How many datagrams from `start` form a run: one destination, all of the first one's
    /// length except possibly a shorter last one.
    private func runLength(_ batch: PacketBatch, from start: Int) -> Int {
        let size = batch.lengths[start]
        var total = size
        var end = start + 1
        while end < batch.count, end - start < Self.batchLimit, batch.lengths[end - 1] == size,
              batch.lengths[end] <= size, total + batch.lengths[end] <= Self.segmentedLimit, batch.sameDestination(start, end) {
            total += batch.lengths[end]
            end += 1
        }
        return end - start
    }

    /// Sends datagrams `start..<end` with `sendmmsg`, waiting once for room if the buffer is full.
    private func sendEach(_ batch: PacketBatch, _ start: Int, _ end: Int) -> Int {
        guard end > start else { return 0 }
        let sent = max(Int(spkic_send_batch(fd, batch.bufferPointers + start, batch.lengths + start, batch.addressPointers + start,
                                            batch.addressLengths + start, UInt32(end - start))), 0)
        guard start + sent < end else { return sent }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        _ = poll(&pfd, 1, 10)
        let from = start + sent
        let rest = spkic_send_batch(fd, batch.bufferPointers + from, batch.lengths + from, batch.addressPointers + from,
                                    batch.addressLengths + from, UInt32(end - from))
        return sent + max(Int(rest), 0)
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

    /// Receives up to `batch.capacity` datagrams into `batch`, waiting up to `receiveWait` ms
    /// for the first in the same system call (`recvmmsg` with `MSG_WAITFORONE` on the blocking
    /// socket). Returns how many arrived (their lengths are in `batch.lengths`), 0 on timeout.
    public func receiveWaiting(into batch: PacketBatch) -> Int {
        let n = spkic_receive_batch_waiting(fd, batch.bufferPointers, batch.slotSize, batch.lengths, batch.segmentSizes,
                                            UInt32(batch.capacity))
        return max(Int(n), 0)
    }

    /// Receives up to `batch.capacity` datagrams into `batch`, waiting up to `timeout` ms for
    /// the first. Returns how many arrived (their lengths are in `batch.lengths`).
    public func receive(into batch: PacketBatch, timeout: Int32) -> Int {
        var n = spkic_receive_batch(fd, batch.bufferPointers, batch.slotSize, batch.lengths, batch.segmentSizes, UInt32(batch.capacity))
        if n == 0 {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, timeout) > 0 else { return 0 }
            n = spkic_receive_batch(fd, batch.bufferPointers, batch.slotSize, batch.lengths, batch.segmentSizes, UInt32(batch.capacity))
        }
        return max(Int(n), 0)
    }
}
