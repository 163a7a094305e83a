import Foundation

/// The outer UDP socket carrying ESP (RFC 3948 framing: the UDP payload is the ESP packet;
/// a payload starting with four zero bytes is not ESP, and a one-byte 0xFF is a NAT keepalive).
public final class UDPSocket: Sendable {
    public let fd: Int32
    public let local: Locator

    public init(bind local: Locator, bufferSize: Int32 = 4 << 20) throws(AgentError) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw AgentError(.system, "socket: \(TunDevice.errnoText())") }
        var size = bufferSize
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = local.sockaddr
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            let text = TunDevice.errnoText()
            close(fd)
            throw AgentError(.system, "bind \(local): \(text)")
        }
        self.fd = fd
        self.local = local
    }

    deinit { close(fd) }

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
}
