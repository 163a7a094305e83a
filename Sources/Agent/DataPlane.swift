import CAgentIO
import Foundation
import Logging

/// The userspace ESP data plane: packets read from the TUN device are sent as BEET-mode
/// ESP in UDP to the peer's locator; ESP received on the UDP socket is checked against the
/// SA table, decrypted, and written to the TUN device with the inner header rebuilt.
///
/// Two threads, one per direction; `stop()` ends both within the poll interval. Each thread
/// owns preallocated buffers (`PacketBatch`) and works in batches: outbound, it reads every
/// packet the TUN device has queued (up to 64), seals each into its slot and sends them all
/// with one `sendmmsg`; inbound, one `recvmmsg` brings up to 64 datagrams, each opened in
/// place behind a rebuilt inner header and written to the device. Nothing is allocated per
/// packet: AES-GCM runs through each SA's libcrypto context (`GCMContext`), sealing from the
/// read buffer straight into the send slot and opening in the receive slot.
public final class DataPlane: Sendable {
    public let table: AssociationTable
    let tun: TunDevice
    let socket: UDPSocket
    let logger: Logger
    private let running = Locked(true)
    private let finished = DispatchGroup()
    /// The largest packet a slot holds (the TUN MTU can be raised up to this).
    static let slotSize = 65536 + 128
    /// How long a looked-up SA is reused before the table is asked again. A table change
    /// (new bundle) or expiry reaches the data plane within this time; every packet still
    /// checks the SA's own time limits.
    static let cacheLifetime: TimeInterval = 0.1

    /// The TUN MTU that keeps the outer IPv4 packet within `linkMTU` for the AES-GCM suites:
    /// the inner IPv6 header is not sent (BEET), ESP and the outer IPv4/UDP headers are.
    public static func tunMTU(linkMTU: Int = 1500) -> Int {
        tunMTU(linkMTU: linkMTU, outerIPv6: false, suite: .aes128GCM)
    }

    /// The TUN MTU for an outer IPv6 or IPv4 header and a suite's largest overhead, at most
    /// `maximumTunMTU`.
    public static func tunMTU(linkMTU: Int, outerIPv6: Bool, suite: ESPSuite) -> Int {
        min(linkMTU - (outerIPv6 ? 40 : 20) - 8 - suite.maximumOverhead + BEETPacket.ipv6HeaderLength, maximumTunMTU)
    }

    /// The largest TUN MTU (a Linux device's limit; an outer IPv4 datagram carries at most
    /// 65,507 bytes of UDP payload, which this leaves room for with every suite).
    public static let maximumTunMTU = 65535 - 20 - 8 - ESPCodec.maximumOverhead + BEETPacket.ipv6HeaderLength
    /// The largest outer path MTU (an IP packet's limit).
    public static let maximumLinkMTU = 65535
    /// The smallest outer path MTU: the one that leaves IPv6's minimum MTU (1280, RFC 8200)
    /// inside, with an outer IPv6 header and the suite of largest overhead.
    public static let minimumLinkMTU = 1280 + 40 + 8 + ESPCodec.maximumOverhead - BEETPacket.ipv6HeaderLength

    /// `mtu` as an outer path MTU (`vpxi-agent run --mtu`), or why it cannot be one.
    public static func checkedLinkMTU(_ mtu: Int) throws(AgentError) -> Int {
        guard (minimumLinkMTU...maximumLinkMTU).contains(mtu) else {
            throw AgentError(.invalidInput, "--mtu \(mtu) is outside \(minimumLinkMTU)...\(maximumLinkMTU): below \(minimumLinkMTU) the "
                             + "tunnel cannot carry IPv6's minimum MTU of 1280 bytes, above \(maximumLinkMTU) is no IP packet\n"
                             + "help: give the MTU of the path between the hosts (`ip link show`), for example 1500 or 9000")
        }
        return mtu
    }

    /// With an IPv6 socket, lowers the TUN MTU by the 20 bytes an outer IPv6 header adds.
    public init(tun: TunDevice, socket: UDPSocket, table: AssociationTable, logger: Logger) {
        if socket.local.isIPv6 {
            do {
                try tun.reserveMTU(20)
            } catch {
                logger.warning("cannot lower the TUN MTU for IPv6 locators: outer packets may be fragmented",
                               metadata: ["reason": "\(error.message)"])
            }
        }
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
                // The kernel's thread name too (perf, top -H, /proc/PID/task/*/comm).
                _ = spkic_name_thread(direction ? "esp-out" : "esp-in")
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
        let input = PacketBatch(capacity: UDPSocket.batchLimit, slotSize: Self.slotSize)
        let output = PacketBatch(capacity: UDPSocket.batchLimit, slotSize: Self.slotSize + ESPCodec.maximumOverhead)
        var cache = OutboundCache()
        let vnet = tun.vnetHeaderLength
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.slotSize, alignment: 16)
        defer { scratch.deallocate() }
        // Whether the last batch ended on an empty queue: then the next one starts by waiting.
        var drained = true
        while isRunning {
            // Wait for the first packet, then take every one already queued.
            let first = tun.read(into: input.slot(0), timeout: 200, pollFirst: drained)
            guard first > 0 else {
                drained = true
                continue
            }
            input.setLength(first, at: 0)
            input.count = 1
            while input.count < input.capacity {
                let length = tun.readAvailable(into: input.slot(input.count))
                guard length > 0 else { break }
                input.setLength(length, at: input.count)
                input.count += 1
            }
            drained = input.count < input.capacity
            let now = Date()
            output.count = 0
            for index in 0..<input.count {
                let read = input.packet(index)
                let slotEnd = UnsafeRawPointer(input.slot(index).baseAddress!) + input.slotSize
                guard vnet > 0 else {
                    sealOne(read, bufferEnd: slotEnd, now: now, cache: &cache, into: output)
                    continue
                }
                guard read.count > vnet else { continue }
                let header = TunOffload.Header(UnsafeRawBufferPointer(rebasing: read[0..<vnet]))
                let packet = UnsafeMutableRawBufferPointer(mutating: UnsafeRawBufferPointer(rebasing: read[vnet...]))
                // A segmentation request to an SA that encrypts in parts: each segment is sealed
                // from its headers (built in `scratch`) and its data where it lies, not gathered.
                // Without an SA the request is dropped (and counted) once, not once per segment.
                if header.gsoType & ~TunOffload.Header.gsoECN == TunOffload.Header.gsoTCPv6, isIPv6(UnsafeRawBufferPointer(packet)) {
                    guard let (association, destination) = cache.lookup(UnsafeRawBufferPointer(packet), now: now, plane: self) else { continue }
                    if association.sealsInParts {
                        let handled = TunOffload.forEachSegment(header, UnsafeRawBufferPointer(packet), headers: scratch) { headers, data in
                            sealSegment(headers, data, association: association, destination: destination, into: output)
                        }
                        if !handled { table.unmatched.withLock { $0.malformedDropped += 1 } }
                        continue
                    }
                }
                let scratchEnd = UnsafeRawPointer(scratch.baseAddress!) + scratch.count
                let handled = TunOffload.forEachPacket(header, packet, scratch: scratch) { segment in
                    // A segment lies in `scratch`, an unsegmented packet in its input slot.
                    let inScratch = segment.baseAddress == UnsafeRawPointer(scratch.baseAddress)
                    sealOne(segment, bufferEnd: inScratch ? scratchEnd : slotEnd, now: now, cache: &cache, into: output)
                }
                if !handled { table.unmatched.withLock { $0.malformedDropped += 1 } }
            }
            flush(output)
        }
    }

    /// Sends the sealed datagrams of `output` and empties it.
    private func flush(_ output: PacketBatch) {
        let sent = socket.send(output)
        if sent < output.count {
            logger.debug("outbound datagrams not sent", metadata: ["count": "\(output.count - sent)", "error": "\(TunDevice.errnoText())"])
        }
        output.count = 0
    }

    /// Whether `packet` is an IPv6 packet whose payload length fits in it.
    private func isIPv6(_ packet: UnsafeRawBufferPointer) -> Bool {
        packet.count >= BEETPacket.ipv6HeaderLength && packet[0] >> 4 == 6
            && BEETPacket.ipv6HeaderLength + (Int(packet[4]) << 8 | Int(packet[5])) <= packet.count
    }

    /// Seals one segment cut from a segmentation request, given as its IPv6 and TCP headers
    /// and its data where it lies, into the next slot of `output`.
    private func sealSegment(_ headers: UnsafeRawBufferPointer, _ data: UnsafeRawBufferPointer, association: ActiveAssociation,
                             destination: SocketAddress, into output: PacketBatch) {
        appendSealed(to: output, destination: destination) { slot throws(AgentError) in
            try association.seal(head: UnsafeRawBufferPointer(rebasing: headers[BEETPacket.ipv6HeaderLength...]), body: data,
                                 nextHeader: headers[6], into: slot)
        }
    }

    /// Seals with `seal` into the next slot of `output` (sending the batch first when it is
    /// full: a large segment cut into many) and records the datagram for `destination`; a
    /// failure drops the packet with a warning.
    private func appendSealed(to output: PacketBatch, destination: SocketAddress,
                              _ seal: (UnsafeMutableRawBufferPointer) throws(AgentError) -> Int) {
        if output.count == output.capacity { flush(output) }
        let slot = output.count
        do {
            output.setLength(try seal(output.slot(slot)), at: slot)
            output.setDestination(destination, at: slot)
            output.count += 1
        } catch {
            logger.warning("outbound packet dropped", metadata: ["code": "\(error.code.rawValue)", "reason": "\(error.message)"])
        }
    }

    /// Seals one packet from the TUN device into the next slot of `output`, or counts its drop.
    /// The packet's buffer is ours up to `bufferEnd`: the ESP trailer is written after the
    /// payload there, and AES-GCM reads the payload where it lies.
    private func sealOne(_ packet: UnsafeRawBufferPointer, bufferEnd: UnsafeRawPointer, now: Date, cache: inout OutboundCache,
                         into output: PacketBatch) {
        guard isIPv6(packet) else {
            table.unmatched.withLock { $0.malformedDropped += 1 }
            return
        }
        guard let (association, destination) = cache.lookup(packet, now: now, plane: self) else { return }
        let payload = packet.baseAddress! + BEETPacket.ipv6HeaderLength
        let buffer = UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(mutating: payload), count: bufferEnd - payload)
        appendSealed(to: output, destination: destination) { slot throws(AgentError) in
            try association.seal(payloadCount: packet.count - BEETPacket.ipv6HeaderLength, inPlace: buffer, nextHeader: packet[6], into: slot)
        }
    }

    /// The SA and destination for an inner packet, from the table (no cache).
    fileprivate func outboundAssociation(_ packet: UnsafeRawBufferPointer, now: Date) -> (ActiveAssociation, SocketAddress)? {
        guard let inner = BEETPacket.parse(packet) else { return nil }
        guard let association = table.outbound(local: inner.source, peer: inner.destination, now: now) else {
            // The kernel's own link-local chatter (router solicitations, MLD) is not
            // traffic between HITs: ignored without counting.
            let linkLocal = inner.source.bytes[0] == 0xfe && inner.source.bytes[1] & 0xc0 == 0x80
            if !linkLocal && inner.destination.bytes[0] != 0xff {
                table.unmatched.withLock { $0.noAssociationDropped += 1 }
            }
            return nil
        }
        guard let destination = socket.destination(association.config.peerLocator) else {
            table.unmatched.withLock { $0.noAssociationDropped += 1 }
            logger.warning("peer locator unreachable from the listening socket",
                           metadata: ["peer": "\(association.config.peerLocator)", "listen": "\(socket.local)"])
            return nil
        }
        return (association, destination)
    }

    private func inboundLoop() {
        let input = PacketBatch(capacity: UDPSocket.batchLimit, slotSize: Self.slotSize)
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.slotSize, alignment: 16)
        let header = UnsafeMutableRawBufferPointer.allocate(byteCount: BEETPacket.ipv6HeaderLength, alignment: 16)
        defer {
            scratch.deallocate()
            header.deallocate()
        }
        // With offloads, runs of TCP segments are joined before they are written.
        let coalescer = tun.vnetHeaderLength > 0 ? TunCoalescer { [tun] in tun.write($0, $1) } : nil
        var cached: InboundCache?
        while isRunning {
            input.count = socket.receiveWaiting(into: input)
            guard input.count > 0 else { continue }
            let now = Date()
            for index in 0..<input.count {
                let (run, segmentSize) = input.datagrams(index)
                var offset = 0
                while offset < run.count {
                    // The slot is this thread's: AES-GCM decrypts each datagram where it lies.
                    let packet = UnsafeMutableRawBufferPointer(mutating: UnsafeRawBufferPointer(rebasing: run[offset..<min(offset + segmentSize, run.count)]))
                    offset += segmentSize
                    openOne(packet, now: now, cache: &cached, scratch: scratch, header: header, coalescer: coalescer)
                }
            }
            coalescer?.flush()
        }
    }

    /// Opens one ESP datagram and writes the inner packet to the TUN device, or counts its drop.
    /// The payload goes from where decryption left it (in the receive slot for AES-GCM)
    /// behind the rebuilt inner header in `header`: copied only when a run is coalesced.
    // Kept out of line: inlined into `inboundLoop`, it made Swift 6.3.1's release optimizer crash (CopyPropagation, "Found
    // outside of lifetime use") when it passed a closure borrowing the optional coalescer.
    @inline(never)
    private func openOne(_ packet: UnsafeMutableRawBufferPointer, now: Date, cache cached: inout InboundCache?,
                         scratch: UnsafeMutableRawBufferPointer, header: UnsafeMutableRawBufferPointer, coalescer: TunCoalescer?) {
        if packet.count == 1 && packet[0] == 0xFF { return }  // NAT keepalive
        guard let esp = try? ESPCodec.header(of: UnsafeRawBufferPointer(packet)), esp.spi != 0 else {
            table.unmatched.withLock { $0.malformedDropped += 1 }
            return
        }
        let association: ActiveAssociation
        if let hit = cached, hit.spi == esp.spi, now < hit.validUntil {
            association = hit.association
        } else if let found = table.inbound(spi: esp.spi, now: now) {
            association = found
            let until = min(now.addingTimeInterval(Self.cacheLifetime), found.config.removal(overlap: table.overlap))
            cached = InboundCache(spi: esp.spi, association: found, validUntil: until)
        } else {
            table.unmatched.withLock { $0.noAssociationDropped += 1 }
            logger.debug("no SA for inbound packet", metadata: ["spi": "\(ESPCodec.hex(esp.spi))"])
            return
        }
        do {
            let (payload, nextHeader) = try association.open(packet: packet, sequenceLow: esp.sequenceLow, scratch: scratch)
            BEETPacket.writeHeader(into: header, addresses: association.innerAddresses, nextHeader: nextHeader, payloadLength: payload.count)
            if let coalescer {
                coalescer.add(header: UnsafeRawBufferPointer(header), payload: payload)
            } else {
                tun.write(UnsafeRawBufferPointer(header), payload)
            }
        } catch {
            logger.debug("inbound packet dropped", metadata: ["code": "\(error.code.rawValue)", "reason": "\(error.message)"])
        }
    }
}

/// The inbound SA last used.
struct InboundCache {
    let spi: UInt32
    let association: ActiveAssociation
    /// The end of the cache lifetime or of the SA's receiving time, whichever is first.
    let validUntil: Date
}

/// The outbound SAs recently used, by the raw inner (source, destination) address pair:
/// most packets find their SA without building HITs or taking the table's lock.
struct OutboundCache {
    private struct Entry {
        var key: (UInt64, UInt64, UInt64, UInt64)
        var association: ActiveAssociation
        var destination: SocketAddress
        /// The end of the cache lifetime or of the SA's sending time, whichever is first.
        var validUntil: Date
    }
    private var entries: [Entry] = []
    private var next = 0
    static let size = 8

    mutating func lookup(_ packet: UnsafeRawBufferPointer, now: Date, plane: DataPlane) -> (ActiveAssociation, SocketAddress)? {
        let key = (packet.loadUnaligned(fromByteOffset: 8, as: UInt64.self), packet.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
                   packet.loadUnaligned(fromByteOffset: 24, as: UInt64.self), packet.loadUnaligned(fromByteOffset: 32, as: UInt64.self))
        for index in entries.indices where entries[index].key == key {
            if now < entries[index].validUntil { return (entries[index].association, entries[index].destination) }
            entries.remove(at: index)
            break
        }
        guard let (association, destination) = plane.outboundAssociation(packet, now: now) else { return nil }
        let config = association.config
        let until = min(now.addingTimeInterval(DataPlane.cacheLifetime), config.end, config.linkExpiry ?? .distantFuture)
        let entry = Entry(key: key, association: association, destination: destination, validUntil: until)
        if entries.count < Self.size {
            entries.append(entry)
        } else {
            entries[next] = entry
            next = (next + 1) % Self.size
        }
        return (association, destination)
    }
}
