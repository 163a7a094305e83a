import Foundation

/// An outer UDP endpoint: an IPv4 or IPv6 address and a port.
///
/// Text forms: `192.0.2.1:10500`, `[2001:db8::1]:10500`, or an address alone (port 10500).
public struct Locator: Hashable, Sendable, CustomStringConvertible {
    public let address: String
    public let port: UInt16
    /// Whether the address is IPv6.
    public let isIPv6: Bool

    public init(address: String, port: UInt16 = 10500) throws(AgentError) {
        var probe4 = in_addr()
        var probe6 = in6_addr()
        if inet_pton(AF_INET, address, &probe4) == 1 {
            isIPv6 = false
        } else if inet_pton(AF_INET6, address, &probe6) == 1 {
            isIPv6 = true
        } else {
            throw AgentError(.invalidInput, "locator `\(address)` is not an IPv4 or IPv6 address")
        }
        self.address = address
        self.port = port
    }

    /// Parses `ADDR:PORT`, `[ADDR6]:PORT`, or an address alone (port 10500).
    public init(parsing text: String) throws(AgentError) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw AgentError(.invalidInput, "`\(text)` opens `[` without closing it; write `[ADDR]:PORT`")
            }
            let address = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { try self.init(address: address); return }
            guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()) else {
                throw AgentError(.invalidInput, "`\(text)` has no valid port after `]`")
            }
            try self.init(address: address, port: port)
        } else if text.filter({ $0 == ":" }).count > 1 {
            try self.init(address: text)  // a bare IPv6 address
        } else if let colon = text.lastIndex(of: ":") {
            guard let port = UInt16(text[text.index(after: colon)...]) else {
                throw AgentError(.invalidInput, "`\(text)` has no valid port")
            }
            try self.init(address: String(text[..<colon]), port: port)
        } else {
            try self.init(address: text)
        }
    }

    public var description: String { isIPv6 ? "[\(address)]:\(port)" : "\(address):\(port)" }

    /// The IPv4 socket address (all zero for an IPv6 locator: use `socketAddress`).
    public var sockaddr: sockaddr_in {
        var sa = sockaddr_in()
        guard !isIPv6 else { return sa }
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        inet_pton(AF_INET, address, &sa.sin_addr)
        return sa
    }

    /// The socket address for a socket of the locator's own family.
    public var socketAddress: SocketAddress { SocketAddress(self, mappedToIPv6: false) }
}

/// A socket address of either family, stored inline (no allocation).
public struct SocketAddress: Sendable, Equatable {
    /// `sockaddr_in6` is large enough for both families.
    var storage = sockaddr_in6()
    public let length: socklen_t
    public let family: Int32

    /// `locator`'s address; with `mappedToIPv6`, an IPv4 address becomes `::ffff:a.b.c.d`
    /// for a dual-stack IPv6 socket.
    public init(_ locator: Locator, mappedToIPv6: Bool) {
        if locator.isIPv6 || mappedToIPv6 {
            storage.sin6_family = sa_family_t(AF_INET6)
            storage.sin6_port = locator.port.bigEndian
            if locator.isIPv6 {
                inet_pton(AF_INET6, locator.address, &storage.sin6_addr)
            } else {
                var v4 = in_addr()
                inet_pton(AF_INET, locator.address, &v4)
                withUnsafeMutableBytes(of: &storage.sin6_addr) { raw in
                    raw[10] = 0xff
                    raw[11] = 0xff
                    raw.storeBytes(of: v4, toByteOffset: 12, as: in_addr.self)
                }
            }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            family = AF_INET6
        } else {
            withUnsafeMutableBytes(of: &storage) { raw in raw.storeBytes(of: locator.sockaddr, as: sockaddr_in.self) }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            family = AF_INET
        }
    }

    public static func == (lhs: SocketAddress, rhs: SocketAddress) -> Bool {
        lhs.length == rhs.length && withUnsafeBytes(of: lhs.storage) { l in
            withUnsafeBytes(of: rhs.storage) { r in l.prefix(Int(lhs.length)).elementsEqual(r.prefix(Int(rhs.length))) }
        }
    }

    /// Calls `body` with a `sockaddr` pointer and its length.
    public func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: storage) { raw in
            try body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }
}
