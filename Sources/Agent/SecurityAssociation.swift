import Foundation

/// One epoch of one protected link: both directions of an ESP SA pair between a local
/// HIT and a peer HIT, as the agent receives it (keys already unwrapped).
///
/// Timing: outbound traffic uses the SA from `start` until `end`; inbound traffic is
/// accepted from `start - overlap` until `end + overlap` so that a rekey at the epoch
/// boundary loses no packet. Nothing is accepted or sent at or after `linkExpiry`, the
/// end of the link's authorization; the SA is then removed.
public struct SecurityAssociation: Sendable, Equatable {
    public var spiIn: UInt32
    public var spiOut: UInt32
    public var suite: ESPSuite
    /// Inbound key material: key || 4-byte salt. Never logged.
    public var keyIn: [UInt8]
    /// Outbound key material: key || 4-byte salt. Never logged.
    public var keyOut: [UInt8]
    public var localHIT: HIT
    public var peerHIT: HIT
    /// The peer's outer address and UDP port.
    public var peerLocator: Locator
    public var start: Date
    public var end: Date
    /// The end of the link's authorization; `nil` means `end`.
    public var linkExpiry: Date?
    /// 64-bit sequence numbers (the default). `false` is a 32-bit test mode, for
    /// interoperability checks with tools that build the GCM AAD with 32-bit numbers.
    public var extendedSequenceNumbers: Bool
    /// Anti-replay window size in packets.
    public var replayWindow: Int

    public init(spiIn: UInt32, spiOut: UInt32, suite: ESPSuite, keyIn: [UInt8], keyOut: [UInt8],
                localHIT: HIT, peerHIT: HIT, peerLocator: Locator, start: Date, end: Date,
                linkExpiry: Date? = nil, extendedSequenceNumbers: Bool = true, replayWindow: Int = 64) {
        self.spiIn = spiIn
        self.spiOut = spiOut
        self.suite = suite
        self.keyIn = keyIn
        self.keyOut = keyOut
        self.localHIT = localHIT
        self.peerHIT = peerHIT
        self.peerLocator = peerLocator
        self.start = start
        self.end = end
        self.linkExpiry = linkExpiry
        self.extendedSequenceNumbers = extendedSequenceNumbers
        self.replayWindow = replayWindow
    }

    /// The moment after which the SA is of no more use.
    public func removal(overlap: TimeInterval) -> Date {
        min(end.addingTimeInterval(overlap), linkExpiry ?? .distantFuture)
    }

    /// Whether the SA may carry outbound traffic at `now`.
    public func sends(at now: Date) -> Bool {
        now >= start && now < end && now < (linkExpiry ?? .distantFuture)
    }

    /// Whether the SA accepts inbound traffic at `now`.
    public func receives(at now: Date, overlap: TimeInterval) -> Bool {
        now >= start.addingTimeInterval(-overlap) && now < removal(overlap: overlap)
    }

    /// Checks everything that does not depend on other SAs.
    public func validate() throws(AgentError) {
        guard spiIn >= 256, spiOut >= 256 else {
            throw AgentError(.invalidAssociation, "SPIs 0-255 are reserved (RFC 4303 2.1); got in \(spiIn), out \(spiOut)")
        }
        guard keyIn.count == suite.keyMaterialLength, keyOut.count == suite.keyMaterialLength else {
            throw AgentError(.invalidAssociation,
                             "SA \(ESPCodec.hex(spiIn)): \(suite.rawValue) needs \(suite.keyMaterialLength) bytes of key material per direction")
        }
        guard start < end else {
            throw AgentError(.invalidAssociation, "SA \(ESPCodec.hex(spiIn)): the epoch ends before it starts")
        }
        guard replayWindow >= 1, replayWindow <= 4096 else {
            throw AgentError(.invalidAssociation, "SA \(ESPCodec.hex(spiIn)): replay window \(replayWindow) is outside 1...4096")
        }
    }
}
