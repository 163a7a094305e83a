@testable import Agent
import Foundation
import XCTest

/// The outer transport without namespaces: locators of both families, and batched sends
/// and receives on loopback (sendmmsg, UDP GSO runs, recvmmsg with GRO runs split back).
final class UDPSocketTests: XCTestCase {
    func testLocatorForms() throws {
        let v4 = try Locator(parsing: "192.0.2.7:4500")
        XCTAssertEqual([v4.address, "\(v4.port)", "\(v4.isIPv6)"], ["192.0.2.7", "4500", "false"])
        XCTAssertEqual(v4.description, "192.0.2.7:4500")
        let v6 = try Locator(parsing: "[2001:db8::1]:4500")
        XCTAssertEqual([v6.address, "\(v6.port)", "\(v6.isIPv6)"], ["2001:db8::1", "4500", "true"])
        XCTAssertEqual(v6.description, "[2001:db8::1]:4500")
        XCTAssertEqual(try Locator(parsing: "2001:db8::2").port, 10500, "a bare IPv6 address: the default port")
        XCTAssertEqual(try Locator(parsing: "[::]").description, "[::]:10500")
        XCTAssertEqual(try Locator(parsing: "10.0.0.1").description, "10.0.0.1:10500")
        for bad in ["[2001:db8::1", "[2001:db8::1]4500", "[2001:db8::1]:port", "300.1.1.1:1", "host:1", "[10.0.0.1:5]", "1.2.3.4:70000"] {
            XCTAssertThrowsError(try Locator(parsing: bad), bad) { XCTAssertEqual(($0 as? AgentError)?.code, .invalidInput, bad) }
        }
        XCTAssertEqual(v6.sockaddr.sin_family, 0, "no IPv4 socket address for an IPv6 locator")
    }

    func testSocketAddressesOfBothFamilies() throws {
        let v4 = try Locator(address: "192.0.2.9", port: 10500)
        XCTAssertEqual(v4.socketAddress.family, AF_INET)
        XCTAssertEqual(Int(v4.socketAddress.length), MemoryLayout<sockaddr_in>.size)
        let mapped = SocketAddress(v4, mappedToIPv6: true)
        XCTAssertEqual(mapped.family, AF_INET6)
        let text = mapped.withSockaddr { address, _ in
            address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { six in
                var copy = six.pointee.sin6_addr
                var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                inet_ntop(AF_INET6, &copy, &buffer, socklen_t(buffer.count))
                return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + " \(UInt16(bigEndian: six.pointee.sin6_port))"
            }
        }
        XCTAssertEqual(text, "::ffff:192.0.2.9 10500")
        let socket4 = try UDPSocket(bind: Locator(address: "127.0.0.1", port: 0))
        XCTAssertNil(socket4.destination(try Locator(address: "2001:db8::1")), "an IPv4 socket cannot reach an IPv6 peer")
        XCTAssertEqual(socket4.destination(v4), v4.socketAddress)
    }

    /// A batch mixing a run of equal-sized datagrams (one GSO send), a shorter last one, and
    /// datagrams of other sizes arrives complete and in order, whatever the kernel coalesced.
    func testBatchesArriveCompleteAndInOrder() throws {
        for (listen, peerAddress) in [("127.0.0.1", "127.0.0.1"), ("::1", "::1"), ("::", "127.0.0.1")] {
            let receiver = try UDPSocket(bind: Locator(address: peerAddress, port: 0))
            let port = boundPort(receiver.fd)
            let sender = try UDPSocket(bind: Locator(address: listen, port: 0))
            guard let destination = sender.destination(try Locator(address: peerAddress, port: port)) else {
                return XCTFail("no destination from \(listen) to \(peerAddress)")
            }
            let sizes = [1200, 1200, 1200, 1200, 700, 64, 1500, 1500, 9, 1] + Array(repeating: 1400, count: 40)
            let batch = PacketBatch(capacity: UDPSocket.batchLimit, slotSize: 2048)
            for (index, size) in sizes.enumerated() {
                let slot = batch.slot(index)
                for byte in 0..<size { slot[byte] = UInt8(truncatingIfNeeded: index &* 31 &+ byte) }
                slot.storeBytes(of: UInt16(index), toByteOffset: 0, as: UInt16.self)
                batch.setLength(size, at: index)
                batch.setDestination(destination, at: index)
            }
            batch.count = sizes.count
            XCTAssertEqual(sender.send(batch), sizes.count, "from \(listen)")
            XCTAssertTrue(sender.sendsSegmentedRuns, "the kernel took the runs as UDP GSO sends")

            var received: [[UInt8]] = []
            let inbound = PacketBatch(capacity: UDPSocket.batchLimit, slotSize: 65536)
            let deadline = Date().addingTimeInterval(3)
            while received.count < sizes.count, Date() < deadline {
                inbound.count = receiver.receive(into: inbound, timeout: 200)
                received += datagrams(inbound)
            }
            XCTAssertEqual(received.map(\.count), sizes, "sizes and order, \(listen) to \(peerAddress)")
            for (index, datagram) in received.enumerated() where datagram.count >= 2 {
                var expected = (0..<datagram.count).map { UInt8(truncatingIfNeeded: index &* 31 &+ $0) }
                withUnsafeBytes(of: UInt16(index)) { expected.replaceSubrange(0..<2, with: $0) }
                XCTAssertEqual(datagram, expected, "content of datagram \(index)")
            }
        }
    }

    /// The data plane's receive (`receiveWaiting`: one blocking `recvmmsg` with
    /// `MSG_WAITFORONE`): with nothing queued it waits about `receiveWait` and returns 0, so a
    /// stopping thread sees its flag; datagrams sent while it waits wake it at once, and
    /// everything sent arrives, in order.
    func testReceiveWaitingTimesOutThenTakesWhatArrives() throws {
        let receiver = try UDPSocket(bind: Locator(address: "127.0.0.1", port: 0))
        let port = boundPort(receiver.fd)
        let inbound = PacketBatch(capacity: UDPSocket.batchLimit, slotSize: 65536)
        var start = Date()
        XCTAssertEqual(receiver.receiveWaiting(into: inbound), 0)
        let waited = Date().timeIntervalSince(start)
        XCTAssertGreaterThanOrEqual(waited, Double(UDPSocket.receiveWait) / 1000 * 0.75, "it waited instead of returning at once")
        XCTAssertLessThan(waited, 3, "bounded by the receive timeout")

        let sender = try UDPSocket(bind: Locator(address: "127.0.0.1", port: 0))
        let destination = try XCTUnwrap(sender.destination(try Locator(address: "127.0.0.1", port: port)))
        let sizes = [300, 1400, 1400, 1400, 9, 700]
        let sent = Locked(0)
        start = Date()
        let thread = Thread {
            let batch = PacketBatch(capacity: UDPSocket.batchLimit, slotSize: 2048)
            for (index, size) in sizes.enumerated() {
                for byte in 0..<size { batch.slot(index)[byte] = UInt8(index) }
                batch.setLength(size, at: index)
                batch.setDestination(destination, at: index)
            }
            batch.count = sizes.count
            usleep(50_000)
            sent.withLock { $0 = sender.send(batch) }
        }
        thread.start()
        var received: [[UInt8]] = []
        var firstAfter: TimeInterval?
        while received.count < sizes.count, Date().timeIntervalSince(start) < 3 {
            inbound.count = receiver.receiveWaiting(into: inbound)
            if inbound.count > 0 && firstAfter == nil { firstAfter = Date().timeIntervalSince(start) }
            received += datagrams(inbound)
        }
        XCTAssertEqual(received.map(\.count), sizes)
        XCTAssertEqual(received.map { $0.first }, sizes.indices.map { UInt8($0) }, "in order")
        XCTAssertLessThan(try XCTUnwrap(firstAfter), 2, "woken by the first datagram, not by the timeout loop")
        while sent.withLock({ $0 }) == 0 { usleep(1000) }
        XCTAssertEqual(sent.withLock { $0 }, sizes.count)
    }

    /// The datagrams of a received batch, coalesced runs (GRO) split back, in order.
    private func datagrams(_ batch: PacketBatch) -> [[UInt8]] {
        var all: [[UInt8]] = []
        for index in 0..<batch.count {
            let (run, segment) = batch.datagrams(index)
            var offset = 0
            while offset < run.count {
                all.append(Array(run[offset..<min(offset + segment, run.count)]))
                offset += segment
            }
        }
        return all
    }

    private func boundPort(_ fd: Int32) -> UInt16 {
        var storage = sockaddr_in6()
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        // sin_port and sin6_port sit at the same offset.
        return UInt16(bigEndian: storage.sin6_port)
    }
}
