import Foundation

/// An SA installed in the data plane: its configuration, ready keys, and mutable state
/// (outbound sequence number, replay window, counters).
final class ActiveAssociation: Sendable {
    let config: SecurityAssociation
    let keysIn: ESPCodec.Keys
    let keysOut: ESPCodec.Keys
    let peer: sockaddr_in
    /// Copies of the configuration's scalars, read on every packet without copying `config`.
    let spiIn: UInt32
    let spiOut: UInt32
    let extended: Bool
    /// The rebuilt inner header's source (the peer's HIT) and destination (the local HIT).
    let innerAddresses: InnerAddresses

    struct State {
        var nextSequence: UInt64 = 1
        var window: ReplayWindow
        var counters = Counters()
    }
    let state: Locked<State>

    /// `benchmarkNullCipher`: see `AssociationTable.benchmarkNullCipher` (benchmark only).
    init(_ config: SecurityAssociation, benchmarkNullCipher: Bool = false) throws(AgentError) {
        try config.validate()
        self.config = config
        keysIn = try ESPCodec.Keys(suite: config.suite, material: config.keyIn, engine: .libcrypto, benchmarkNullCipher: benchmarkNullCipher)
        keysOut = try ESPCodec.Keys(suite: config.suite, material: config.keyOut, engine: .libcrypto, benchmarkNullCipher: benchmarkNullCipher)
        peer = config.peerLocator.sockaddr
        spiIn = config.spiIn
        spiOut = config.spiOut
        extended = config.extendedSequenceNumbers
        innerAddresses = InnerAddresses(source: config.peerHIT, destination: config.localHIT)
        state = Locked(State(window: ReplayWindow(size: config.replayWindow, extended: config.extendedSequenceNumbers)))
    }

    /// Frees and clears both directions' AES-GCM contexts: the SA was removed from the table.
    /// A packet that still reaches it (through a data-plane cache) fails to seal or open.
    func retire() {
        keysIn.retire()
        keysOut.retire()
    }

    /// Whether `other` is the same SA with the same keys (so that its state carries over).
    func sameSA(as other: SecurityAssociation) -> Bool {
        config.spiIn == other.spiIn && config.spiOut == other.spiOut && config.suite == other.suite
            && config.keyIn == other.keyIn && config.keyOut == other.keyOut
            && config.extendedSequenceNumbers == other.extendedSequenceNumbers
            && config.replayWindow == other.replayWindow
    }

    /// Encrypts an outbound payload into `output`. Returns the packet length.
    func seal(payload: UnsafeRawBufferPointer, nextHeader: UInt8,
              into output: UnsafeMutableRawBufferPointer) throws(AgentError) -> Int {
        let sequence = try takeSequence(length: ESPCodec.sealedLength(payload: payload.count, suite: keysOut.suite))
        return try ESPCodec.seal(payload: payload, nextHeader: nextHeader, spi: spiOut, sequence: sequence,
                                 extended: extended, keys: keysOut, into: output)
    }

    /// Encrypts the payload at the start of `buffer` (`payloadCount` bytes, with room after it
    /// for the trailer, see `ESPCodec.seal(payloadCount:inPlace:…)`) into `output`.
    func seal(payloadCount: Int, inPlace buffer: UnsafeMutableRawBufferPointer, nextHeader: UInt8,
              into output: UnsafeMutableRawBufferPointer) throws(AgentError) -> Int {
        let sequence = try takeSequence(length: ESPCodec.sealedLength(payload: payloadCount, suite: keysOut.suite))
        return try ESPCodec.seal(payloadCount: payloadCount, inPlace: buffer, nextHeader: nextHeader, spi: spiOut,
                                 sequence: sequence, extended: extended, keys: keysOut, into: output)
    }

    /// Encrypts an outbound payload given as `head` then `body` (a cut TCP segment, see
    /// `ESPCodec.seal(head:body:…)`) into `output`. Returns the packet length.
    func seal(head: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer, nextHeader: UInt8,
              into output: UnsafeMutableRawBufferPointer) throws(AgentError) -> Int {
        let sequence = try takeSequence(length: ESPCodec.sealedLength(payload: head.count + body.count, suite: keysOut.suite))
        return try ESPCodec.seal(head: head, body: body, nextHeader: nextHeader, spi: spiOut, sequence: sequence,
                                 extended: extended, keys: keysOut, into: output)
    }

    /// Whether outbound payloads are encrypted where they lie, in parts (`seal(head:body:…)`)
    /// without being gathered first: the libcrypto engine's AES-GCM.
    var sealsInParts: Bool { keysOut.context != nil }

    /// The next outbound sequence number, counted with a packet of `length` bytes.
    private func takeSequence(length: Int) throws(AgentError) -> UInt64 {
        let limit: UInt64 = extended ? .max : UInt64(UInt32.max)
        let taken: UInt64? = state.withLock { state in
            guard state.nextSequence <= limit, state.nextSequence != 0 else { return nil }
            defer { state.nextSequence &+= 1 }
            state.counters.packetsOut += 1
            state.counters.bytesOut += UInt64(length)
            return state.nextSequence
        }
        guard let sequence = taken else {
            throw AgentError(.sequenceExhausted, "SA \(ESPCodec.hex(spiOut)) has used all its sequence numbers")
        }
        return sequence
    }

    /// Checks replay, authenticates and decrypts, records the sequence number, and returns the
    /// payload and its next header where they lie: AES-GCM decrypts in place in `packet`;
    /// `scratch`, at least the packet's length, serves the suites that decrypt elsewhere.
    /// No closure: nothing is retained per packet.
    func open(packet: UnsafeMutableRawBufferPointer, sequenceLow: UInt32,
              scratch: UnsafeMutableRawBufferPointer) throws(AgentError) -> (payload: UnsafeRawBufferPointer, nextHeader: UInt8) {
        let (sequence, fresh) = state.withLock { state -> (UInt64, Bool) in
            let sequence = state.window.infer(low: sequenceLow)
            return (sequence, state.window.check(sequence))
        }
        guard fresh else {
            state.withLock { $0.counters.replaysDropped += 1 }
            throw AgentError(.replay, "SA \(ESPCodec.hex(spiIn)): sequence \(sequence) replayed or too old")
        }
        let opened: (payload: UnsafeRawBufferPointer, nextHeader: UInt8)
        do {
            opened = try ESPCodec.open(inPlace: packet, spi: spiIn, sequence: sequence, extended: extended, keys: keysIn, scratch: scratch)
        } catch {
            state.withLock {
                if error.code == .authenticationFailed { $0.counters.authenticationFailures += 1 } else { $0.counters.malformedDropped += 1 }
            }
            throw error
        }
        // Check again under the lock: another packet with the same number may have won.
        let length = UInt64(packet.count)
        let accepted = state.withLock { state -> Bool in
            guard state.window.check(sequence) else {
                state.counters.replaysDropped += 1
                return false
            }
            state.window.accept(sequence)
            state.counters.packetsIn += 1
            state.counters.bytesIn += length
            return true
        }
        guard accepted else { throw AgentError(.replay, "SA \(ESPCodec.hex(spiIn)): sequence \(sequence) replayed") }
        return opened
    }
}
