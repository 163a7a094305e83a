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
}
