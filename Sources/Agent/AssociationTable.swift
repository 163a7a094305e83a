import Foundation

/// The set of SAs the data plane uses, replaced atomically as a whole.
///
/// Inbound packets find their SA by SPI; outbound packets by (local HIT, peer HIT),
/// choosing among the epochs that may send now the one that started last, so that the
/// new epoch takes over at its start while the old one still receives (overlap).
public final class AssociationTable: Sendable {
    /// How long an epoch keeps receiving before its start and after its end.
    public let overlap: TimeInterval

    struct Snapshot {
        var byInboundSPI: [UInt32: ActiveAssociation] = [:]
        var byPeer: [HITPair: [ActiveAssociation]] = [:]
        var all: [ActiveAssociation] = []
    }

    struct HITPair: Hashable {
        let local: HIT
        let peer: HIT
    }

    private let snapshot = Locked(Snapshot())
    /// Drops counted before any SA was found.
    let unmatched = Locked(Counters())

    /// Benchmark only: every SA installed runs the null transform instead of AES-GCM (ESP
    /// framing, sequence numbers and replay checks kept; payloads sent in clear, no
    /// authentication). Set only by `vpxi-agent run --benchmark-null-cipher` with its
    /// environment variable and a JSON `--input` (see `AgentRuntime.Options.benchmarkNullCipher`);
    /// nothing in a bundle or on the wire selects it.
    public let benchmarkNullCipher: Bool

    public init(overlap: TimeInterval = 30, benchmarkNullCipher: Bool = false) {
        self.overlap = overlap
        self.benchmarkNullCipher = benchmarkNullCipher
    }

    /// Replaces every SA by `associations`, all or nothing. An SA identical to an installed
    /// one (same SPIs and keys) keeps its sequence number, replay window and counters.
    public func apply(_ associations: [SecurityAssociation]) throws(AgentError) {
        try Self.validate(associations)
        let current = snapshot.withLock { $0.byInboundSPI }
        var next = Snapshot()
        for association in associations {
            let active: ActiveAssociation
            if let existing = current[association.spiIn], existing.sameSA(as: association),
               existing.config == association {
                active = existing
            } else {
                active = try ActiveAssociation(association, benchmarkNullCipher: benchmarkNullCipher)
            }
            next.byInboundSPI[association.spiIn] = active
            next.byPeer[HITPair(local: association.localHIT, peer: association.peerHIT), default: []].append(active)
            next.all.append(active)
        }
        let removed = snapshot.withLock { snapshot in
            defer { snapshot = next }
            return snapshot.all.filter { next.byInboundSPI[$0.config.spiIn] == nil }
        }
        // SAs gone from the set have their key contexts cleared now, not when the last cached
        // reference goes. One replaced under the same SPI (a renewal that changed its times)
        // keeps working for the data plane's cache lifetime, then goes with its last reference.
        for association in removed { association.retire() }
    }

    /// Checks a set of SAs without installing it.
    public static func validate(_ associations: [SecurityAssociation]) throws(AgentError) {
        var seen = Set<UInt32>()
        for association in associations {
            try association.validate()
            guard seen.insert(association.spiIn).inserted else {
                throw AgentError(.duplicateSPI, "two SAs use inbound SPI \(ESPCodec.hex(association.spiIn))")
            }
        }
    }

    /// Removes the SAs whose link authorization or epoch (plus overlap) has ended.
    /// Returns the inbound SPIs removed.
    @discardableResult
    public func expire(now: Date = Date()) -> [UInt32] {
        let (gone, expired) = snapshot.withLock { snapshot -> ([UInt32], [ActiveAssociation]) in
            let expired = snapshot.all.filter { now >= $0.config.removal(overlap: overlap) }
            guard !expired.isEmpty else { return ([], []) }
            let gone = Set(expired.map { $0.config.spiIn })
            snapshot.all.removeAll { gone.contains($0.config.spiIn) }
            for spi in gone { snapshot.byInboundSPI[spi] = nil }
            for key in snapshot.byPeer.keys {
                snapshot.byPeer[key]?.removeAll { gone.contains($0.config.spiIn) }
                if snapshot.byPeer[key]?.isEmpty == true { snapshot.byPeer[key] = nil }
            }
            return (gone.sorted(), expired)
        }
        // Past its removal time no cache hands the SA out; its key contexts are cleared now.
        for association in expired { association.retire() }
        return gone
    }

    /// The SA to send from `local` to `peer` at `now`.
    func outbound(local: HIT, peer: HIT, now: Date) -> ActiveAssociation? {
        let candidates = snapshot.withLock { $0.byPeer[HITPair(local: local, peer: peer)] } ?? []
        return candidates.filter { $0.config.sends(at: now) }.max { $0.config.start < $1.config.start }
    }

    /// The SA for an inbound SPI, if it may receive at `now`.
    func inbound(spi: UInt32, now: Date) -> ActiveAssociation? {
        guard let active = snapshot.withLock({ $0.byInboundSPI[spi] }) else { return nil }
        return active.config.receives(at: now, overlap: overlap) ? active : nil
    }

    /// The installed SAs with their counters, sorted by inbound SPI.
    public func entries() -> [(association: SecurityAssociation, counters: Counters)] {
        snapshot.withLock { $0.all }
            .map { ($0.config, $0.state.withLock { $0.counters }) }
            .sorted { $0.association.spiIn < $1.association.spiIn }
    }

    /// The local HITs of all installed SAs.
    public var localHITs: [HIT] {
        Array(Set(snapshot.withLock { $0.all }.map { $0.config.localHIT })).sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
    }

    /// The total of every SA's counters and the unmatched drops.
    public func totals() -> Counters {
        var total = unmatched.withLock { $0 }
        for (_, c) in entries() {
            total.packetsIn += c.packetsIn
            total.packetsOut += c.packetsOut
            total.bytesIn += c.bytesIn
            total.bytesOut += c.bytesOut
            total.replaysDropped += c.replaysDropped
            total.authenticationFailures += c.authenticationFailures
            total.noAssociationDropped += c.noAssociationDropped
            total.malformedDropped += c.malformedDropped
        }
        return total
    }
}
