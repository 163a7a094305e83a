import Foundation

/// A Linux TUN device carrying raw IP packets (IFF_TUN | IFF_NO_PI), configured with
/// the local HITs through ioctls (no external tools).
public final class TunDevice: Sendable {
    public let name: String
    public let fd: Int32
    /// Bytes of `virtio_net_hdr` in front of every packet read or written: 10 with offloads
    /// (the kernel passes TCP segments of up to 64 KiB and leaves checksums to the agent), 0 without.
    public let vnetHeaderLength: Int
    /// Bytes every `configure` takes off the MTU it is given (see `reserveMTU`).
    private let reserved = Locked(0)

    // linux/if_tun.h and linux/sockios.h
    private static let tunSetIff: UInt = 0x4004_54ca
    private static let iffTun: Int16 = 0x0001
    private static let iffNoPI: Int16 = 0x1000
    private static let iffVnetHdr: Int16 = 0x4000
    private static let tunSetOffload: UInt = 0x4004_54d0
    /// TUN_F_CSUM | TUN_F_TSO6 | TUN_F_TSO_ECN: checksums and IPv6 TCP segmentation left to the agent.
    private static let offloads: UInt = 0x01 | 0x04 | 0x08
    private static let siocgifflags: UInt = 0x8913
    private static let siocsifflags: UInt = 0x8914
    private static let siocsifmtu: UInt = 0x8922
    private static let siocgifmtu: UInt = 0x8921
    private static let siocsifaddr: UInt = 0x8916
    private static let siocsiftxqlen: UInt = 0x8943
    /// The device queue (packets the kernel holds for the agent to read): longer than the
    /// default 500 so that a burst of TCP segments waits instead of being dropped.
    public static let queueLength: Int32 = 2000

    /// Creates (or attaches to) the TUN device `name`; with `offload`, asks for TCP
    /// segmentation and checksum offload (falls back to plain packets where refused).
    public init(name: String, offload: Bool = true) throws(AgentError) {
        guard !name.isEmpty, name.utf8.count < 16 else {
            throw AgentError(.invalidInput, "TUN name `\(name)` must have 1 to 15 bytes")
        }
        let fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw AgentError(.system, "cannot open /dev/net/tun: \(Self.errnoText())") }
        var request = Self.interfaceRequest(name)
        let flags = Self.iffTun | Self.iffNoPI | (offload ? Self.iffVnetHdr : 0)
        request.withUnsafeMutableBytes { raw in raw.storeBytes(of: flags, toByteOffset: 16, as: Int16.self) }
        let status = request.withUnsafeMutableBytes { ioctl(fd, Self.tunSetIff, $0.baseAddress!) }
        guard status == 0 else {
            let text = Self.errnoText()
            close(fd)
            throw AgentError(.system, "TUNSETIFF \(name): \(text)")
        }
        // Non-blocking: the data plane reads first and polls only when nothing is queued,
        // one system call per packet under load instead of two.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        // With the vnet header on, the offloads are an optimisation: without them the kernel
        // still sends plain packets (a header with no flags).
        if offload { _ = ioctl(fd, Self.tunSetOffload, CInt(Self.offloads)) }
        self.name = name
        self.fd = fd
        vnetHeaderLength = offload ? TunOffload.Header.length : 0
    }

    deinit { close(fd) }

    /// Lowers the device MTU by `bytes`, now and in every later `configure`: the data plane
    /// reserves the 20 more bytes an outer IPv6 header takes than the IPv4 one that
    /// `DataPlane.tunMTU(linkMTU:)` assumes, so that outer packets are not fragmented.
    public func reserveMTU(_ bytes: Int) throws(AgentError) {
        let inet = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard inet >= 0 else { throw AgentError(.system, "socket: \(Self.errnoText())") }
        defer { close(inet) }
        var request = Self.interfaceRequest(name)
        guard request.withUnsafeMutableBytes({ ioctl(inet, Self.siocgifmtu, $0.baseAddress!) }) == 0 else {
            throw AgentError(.system, "SIOCGIFMTU \(name): \(Self.errnoText())")
        }
        let current = request.withUnsafeBytes { Int($0.load(fromByteOffset: 16, as: Int32.self)) }
        let added = reserved.withLock { old in
            defer { old = bytes }
            return bytes - old
        }
        try setMTU(current - added, socket: inet)
    }

    private func setMTU(_ mtu: Int, socket inet: Int32) throws(AgentError) {
        var request = Self.interfaceRequest(name)
        request.withUnsafeMutableBytes { $0.storeBytes(of: Int32(mtu), toByteOffset: 16, as: Int32.self) }
        guard request.withUnsafeMutableBytes({ ioctl(inet, Self.siocsifmtu, $0.baseAddress!) }) == 0 else {
            throw AgentError(.system, "SIOCSIFMTU \(name) \(mtu): \(Self.errnoText())")
        }
    }

    /// Sets the MTU (less any reserved bytes), adds each HIT with `prefixLength` (28 covers the ORCHID prefix, so the
    /// kernel routes every HIT to the device), and brings the device up.
    public func configure(hits: [HIT], mtu: Int, prefixLength: Int = 28) throws(AgentError) {
        // No duplicate address detection on a point-to-point tunnel: addresses are usable at once.
        try? Data("0\n".utf8).write(to: URL(fileURLWithPath: "/proc/sys/net/ipv6/conf/\(name)/accept_dad"))
        let inet = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard inet >= 0 else { throw AgentError(.system, "socket: \(Self.errnoText())") }
        defer { close(inet) }
        try setMTU(mtu - reserved.withLock { $0 }, socket: inet)
        var request = Self.interfaceRequest(name)
        request.withUnsafeMutableBytes { $0.storeBytes(of: Self.queueLength, toByteOffset: 16, as: Int32.self) }
        _ = request.withUnsafeMutableBytes { ioctl(inet, Self.siocsiftxqlen, $0.baseAddress!) }  // best effort
        request = Self.interfaceRequest(name)
        guard request.withUnsafeMutableBytes({ ioctl(inet, Self.siocgifflags, $0.baseAddress!) }) == 0 else {
            throw AgentError(.system, "SIOCGIFFLAGS \(name): \(Self.errnoText())")
        }
        request.withUnsafeMutableBytes { raw in
            let flags = raw.load(fromByteOffset: 16, as: Int16.self)
            raw.storeBytes(of: flags | Int16(IFF_UP) | Int16(IFF_RUNNING), toByteOffset: 16, as: Int16.self)
        }
        guard request.withUnsafeMutableBytes({ ioctl(inet, Self.siocsifflags, $0.baseAddress!) }) == 0 else {
            throw AgentError(.system, "SIOCSIFFLAGS \(name): \(Self.errnoText())")
        }
        let inet6 = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
        guard inet6 >= 0 else { throw AgentError(.system, "socket(AF_INET6): \(Self.errnoText())") }
        defer { close(inet6) }
        let index = if_nametoindex(name)
        for hit in hits {
            // struct in6_ifreq { struct in6_addr addr; u32 prefixlen; int ifindex; }
            var in6 = [UInt8](repeating: 0, count: 24)
            in6.replaceSubrange(0..<16, with: hit.bytes)
            in6.withUnsafeMutableBytes { raw in
                raw.storeBytes(of: UInt32(prefixLength), toByteOffset: 16, as: UInt32.self)
                raw.storeBytes(of: Int32(index), toByteOffset: 20, as: Int32.self)
            }
            let status = in6.withUnsafeMutableBytes { ioctl(inet6, Self.siocsifaddr, $0.baseAddress!) }
            guard status == 0 || errno == EEXIST else {
                throw AgentError(.system, "adding \(hit) to \(name): \(Self.errnoText())")
            }
        }
    }

    /// Reads one packet; returns its length, 0 when none is ready within `timeout` ms. With
    /// `pollFirst` (the caller has just found the queue empty) it waits before trying, which
    /// saves a read that would fail.
    public func read(into buffer: UnsafeMutableRawBufferPointer, timeout: Int32, pollFirst: Bool = false) -> Int {
        var n = pollFirst ? -1 : Glibc.read(fd, buffer.baseAddress, buffer.count)
        if pollFirst || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, timeout) > 0 else { return 0 }
            n = Glibc.read(fd, buffer.baseAddress, buffer.count)
        }
        return max(n, 0)
    }

    /// Reads one packet if one is queued, without waiting; 0 when none is.
    public func readAvailable(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        max(Glibc.read(fd, buffer.baseAddress, buffer.count), 0)
    }

    /// Writes one packet (waits briefly for room when the device queue is full).
    @discardableResult
    public func write(_ packet: UnsafeRawBufferPointer) -> Bool {
        var written = Glibc.write(fd, packet.baseAddress, packet.count)
        if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            _ = poll(&pfd, 1, 10)
            written = Glibc.write(fd, packet.baseAddress, packet.count)
        }
        return written == packet.count
    }

    /// Writes one packet given in two parts, `head` then `tail` (`writev`: neither is copied
    /// by the agent); waits briefly for room when the device queue is full.
    @discardableResult
    public func write(_ head: UnsafeRawBufferPointer, _ tail: UnsafeRawBufferPointer) -> Bool {
        guard tail.count > 0 else { return write(head) }
        var vectors = (iovec(iov_base: UnsafeMutableRawPointer(mutating: head.baseAddress), iov_len: head.count),
                       iovec(iov_base: UnsafeMutableRawPointer(mutating: tail.baseAddress), iov_len: tail.count))
        let total = head.count + tail.count
        return withUnsafeMutableBytes(of: &vectors) { raw in
            let base = raw.baseAddress!.assumingMemoryBound(to: iovec.self)
            var written = writev(fd, base, 2)
            if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&pfd, 1, 10)
                written = writev(fd, base, 2)
            }
            return written == total
        }
    }

    static func interfaceRequest(_ name: String) -> [UInt8] {
        var request = [UInt8](repeating: 0, count: 40)  // struct ifreq
        request.replaceSubrange(0..<name.utf8.count, with: Array(name.utf8))
        return request
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
