import Foundation
import Logging

/// The userspace ESP data plane: packets read from the TUN device are sent as BEET-mode
/// ESP in UDP to the peer's locator; ESP received on the UDP socket is checked against the
/// SA table, decrypted, and written to the TUN device with the inner header rebuilt.
///
/// Two threads, one per direction; `stop()` ends both within the poll interval.
public final class DataPlane: Sendable {
    public let table: AssociationTable
    let tun: TunDevice
    let socket: UDPSocket
    let logger: Logger
    private let running = Locked(true)
    private let finished = DispatchGroup()

    /// The TUN MTU that keeps the outer IPv4 packet within `linkMTU`: the inner IPv6
    /// header is not sent (BEET), ESP and outer IPv4/UDP headers are.
    public static func tunMTU(linkMTU: Int = 1500) -> Int {
        linkMTU - 20 - 8 - ESPCodec.maximumOverhead + BEETPacket.ipv6HeaderLength
    }

    public init(tun: TunDevice, socket: UDPSocket, table: AssociationTable, logger: Logger) {
        self.tun = tun
        self.socket = socket
        self.table = table
        self.logger = logger
    }

    /// Starts both directions.
    public func start() {
        for direction in [true, false] {
            finished.enter()
            let thread = Thread { [self] in
                if direction { outboundLoop() } else { inboundLoop() }
                finished.leave()
            }
            thread.name = direction ? "esp-out" : "esp-in"
            thread.start()
        }
    }

    /// Stops both directions and waits for them.
    public func stop() {
        running.withLock { $0 = false }
        finished.wait()
    }

    private var isRunning: Bool { running.withLock { $0 } }

    private func outboundLoop() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { buffer.deallocate() }
        while isRunning {
            let count = tun.read(into: buffer, timeout: 200)
            guard count > 0 else { continue }
            let packet = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            guard let inner = BEETPacket.parse(packet) else {
                table.unmatched.withLock { $0.malformedDropped += 1 }
                continue
            }
            guard let association = table.outbound(local: inner.source, peer: inner.destination, now: Date()) else {
                // The kernel's own link-local chatter (router solicitations, MLD) is not
                // traffic between HITs: ignored without counting.
                let linkLocal = inner.source.bytes[0] == 0xfe && inner.source.bytes[1] & 0xc0 == 0x80
                if !linkLocal && inner.destination.bytes[0] != 0xff {
                    table.unmatched.withLock { $0.noAssociationDropped += 1 }
                }
                continue
            }
            do {
                let esp = try association.seal(payload: packet[inner.payloadOffset...], nextHeader: inner.nextHeader)
                socket.send(esp, to: association.peer)
            } catch {
                logger.warning("outbound packet dropped", metadata: ["code": "\(error.code.rawValue)", "reason": "\(error.message)"])
            }
        }
    }

    private func inboundLoop() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { buffer.deallocate() }
        while isRunning {
            let count = socket.receive(into: buffer, timeout: 200)
            guard count > 0 else { continue }
            if count == 1 && buffer[0] == 0xFF { continue }  // NAT keepalive
            let packet = Array(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            guard let header = try? ESPCodec.header(of: packet), header.spi != 0 else {
                table.unmatched.withLock { $0.malformedDropped += 1 }
                continue
            }
            guard let association = table.inbound(spi: header.spi, now: Date()) else {
                table.unmatched.withLock { $0.noAssociationDropped += 1 }
                logger.debug("no SA for inbound packet", metadata: ["spi": "\(ESPCodec.hex(header.spi))"])
                continue
            }
            do {
                let (payload, nextHeader) = try association.open(packet: packet, sequenceLow: header.sequenceLow)
                let config = association.config
                var inner = BEETPacket.header(source: config.peerHIT, destination: config.localHIT,
                                              nextHeader: nextHeader, payloadLength: payload.count)
                inner.append(contentsOf: payload)
                inner.withUnsafeBytes { _ = tun.write($0) }
            } catch {
                logger.debug("inbound packet dropped", metadata: ["code": "\(error.code.rawValue)", "reason": "\(error.message)"])
            }
        }
    }
}
