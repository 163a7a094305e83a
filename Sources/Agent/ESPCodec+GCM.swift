/// AES-GCM opened through the SA's libcrypto context (`GCMContext`): decrypted from where the
/// packet lies into the caller's memory, or in place in the packet itself.
extension ESPCodec {
    /// Authenticates and decrypts a packet whose full sequence number is `sequence`, in place
    /// (the data plane's receive slot) where the suite and engine allow it (AES-GCM with
    /// libcrypto), otherwise into `scratch` (at least the packet's length). Returns the payload
    /// where it now lies, inside `packet` after the ESP header or at the start of `scratch`,
    /// and its next header. The packet's ciphertext is overwritten, also when it does not verify.
    public static func open(inPlace packet: UnsafeMutableRawBufferPointer, spi: UInt32, sequence: UInt64, extended: Bool,
                            keys: Keys, scratch: UnsafeMutableRawBufferPointer) throws(AgentError) -> (payload: UnsafeRawBufferPointer, nextHeader: UInt8) {
        let suite = keys.suite
        if let context = keys.context, packet.count >= suite.headerLength + suite.paddingAlignment + ESPSuite.icvLength {
            return try openGCM(packet: UnsafeRawBufferPointer(packet), spi: spi, sequence: sequence, extended: extended, keys: keys,
                               context: context, into: packet.baseAddress! + suite.headerLength)
        }
        let (length, nextHeader) = try open(packet: UnsafeRawBufferPointer(packet), spi: spi, sequence: sequence, extended: extended,
                                            keys: keys, into: scratch)
        return (UnsafeRawBufferPointer(rebasing: scratch[0..<length]), nextHeader)
    }

    /// `open(inPlace:…)` handing the payload and its next header to `body` (valid only during it).
    public static func withOpened<R>(inPlace packet: UnsafeMutableRawBufferPointer, spi: UInt32, sequence: UInt64, extended: Bool,
                                     keys: Keys, scratch: UnsafeMutableRawBufferPointer,
                                     _ body: (UnsafeRawBufferPointer, UInt8) -> R) throws(AgentError) -> R {
        let (payload, nextHeader) = try open(inPlace: packet, spi: spi, sequence: sequence, extended: extended, keys: keys, scratch: scratch)
        return body(payload, nextHeader)
    }

    /// Authenticates and decrypts a GCM packet with `context` into `output` (the ciphertext's
    /// length; the ciphertext's own place for in-place opening). Returns the payload there
    /// and its next header.
    static func openGCM(packet: UnsafeRawBufferPointer, spi: UInt32, sequence: UInt64, extended: Bool, keys: Keys,
                        context: GCMContext, into output: UnsafeMutableRawPointer) throws(AgentError) -> (UnsafeRawBufferPointer, UInt8) {
        let start = keys.suite.headerLength
        let cipherEnd = packet.count - ESPSuite.icvLength
        let ciphertext = UnsafeRawBufferPointer(rebasing: packet[start..<cipherEnd])
        let opened = withNonceAndAAD(salt: keys.salt, iv: UnsafeRawBufferPointer(rebasing: packet[8..<16]), spi: spi,
                                     sequence: sequence, extended: extended) { nonce, aad in
            context.open(nonce: nonce.baseAddress!, aad: aad, ciphertext: ciphertext, tag: packet.baseAddress! + cipherEnd, into: output)
        }
        guard opened else {
            throw AgentError(.authenticationFailed, "ICV of SPI \(hex(spi)) sequence \(sequence) does not verify")
        }
        let plain = UnsafeRawBufferPointer(start: output, count: ciphertext.count)
        let (length, nextHeader) = try trailer(plain)
        return (UnsafeRawBufferPointer(rebasing: plain[0..<length]), nextHeader)
    }

    /// Encapsulates a payload given in two parts, `head` then `body` (a cut TCP segment: its
    /// header built aside, its data where it lies in the large packet it was cut from), as an
    /// ESP packet at the start of `output` (`sealedLength(payload: head.count + body.count,
    /// suite:)` bytes). With the libcrypto engine both parts and the trailer are encrypted from
    /// where they lie, nothing copied; otherwise they are copied into `output` and sealed there.
    public static func seal(head: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer, nextHeader: UInt8, spi: UInt32,
                            sequence: UInt64, extended: Bool, keys: Keys,
                            into output: UnsafeMutableRawBufferPointer) throws(AgentError) -> Int {
        let suite = keys.suite
        let count = head.count + body.count
        let length = sealedLength(payload: count, suite: suite)
        precondition(output.count >= length, "ESP output buffer too small")
        let plainStart = suite.headerLength
        guard let context = keys.context else {
            let plain = UnsafeMutableRawBufferPointer(rebasing: output[plainStart..<(plainStart + count)])
            if head.count > 0 { UnsafeMutableRawBufferPointer(rebasing: plain[0..<head.count]).copyMemory(from: head) }
            if body.count > 0 { UnsafeMutableRawBufferPointer(rebasing: plain[head.count...]).copyMemory(from: body) }
            // The payload now lies where `seal(payload:…)` copies it: that copy is a no-op move.
            return try seal(payload: UnsafeRawBufferPointer(plain), nextHeader: nextHeader, spi: spi, sequence: sequence,
                            extended: extended, keys: keys, into: output)
        }
        let plainEnd = length - ESPSuite.icvLength
        var trailerBytes: (UInt64, UInt64) = (0, 0)  // at most 3 pad bytes, pad length, next header
        let sealed = withUnsafeMutableBytes(of: &trailerBytes) { raw -> Bool in
            let trailer = UnsafeMutableRawBufferPointer(rebasing: raw[0..<(plainEnd - plainStart - count)])
            writeTrailer(trailer, payload: 0, nextHeader: nextHeader)
            store32(spi, output, 0)
            store32(UInt32(truncatingIfNeeded: sequence), output, 4)
            store32(UInt32(truncatingIfNeeded: sequence >> 32), output, 8)  // IV: the 64-bit sequence number
            store32(UInt32(truncatingIfNeeded: sequence), output, 12)
            return withNonceAndAAD(salt: keys.salt, iv: UnsafeRawBufferPointer(rebasing: output[8..<16]), spi: spi, sequence: sequence,
                                   extended: extended) { nonce, aad in
                context.seal(nonce: nonce.baseAddress!, aad: aad, head, body, UnsafeRawBufferPointer(trailer),
                             into: output.baseAddress! + plainStart, tag: output.baseAddress! + plainEnd)
            }
        }
        guard sealed else { throw AgentError(.system, "AES-GCM seal failed (libcrypto, or the SA was removed)") }
        return length
    }
}
