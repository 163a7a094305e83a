/// AES-GCM opened through the SA's libcrypto context (`GCMContext`): decrypted from where the
/// packet lies into the caller's memory, or in place in the packet itself.
extension ESPCodec {
    /// Like `withOpened(packet:…scratch:_:)`, decrypting the packet in place (the data plane's
    /// receive slot): `body` gets the payload where it lies in `packet`, after the ESP header.
    /// The packet's ciphertext is overwritten, also when it does not verify. Suites or engines
    /// that cannot decrypt in place (AES-CBC, swift-crypto) decrypt into `scratch` as before.
    public static func withOpened<R>(inPlace packet: UnsafeMutableRawBufferPointer, spi: UInt32, sequence: UInt64, extended: Bool,
                                     keys: Keys, scratch: UnsafeMutableRawBufferPointer,
                                     _ body: (UnsafeRawBufferPointer, UInt8) -> R) throws(AgentError) -> R {
        let suite = keys.suite
        guard let context = keys.context,
              packet.count >= suite.headerLength + suite.paddingAlignment + ESPSuite.icvLength else {
            return try withOpened(packet: UnsafeRawBufferPointer(packet), spi: spi, sequence: sequence, extended: extended, keys: keys,
                                  scratch: scratch, body)
        }
        return try openGCM(packet: UnsafeRawBufferPointer(packet), spi: spi, sequence: sequence, extended: extended, keys: keys,
                           context: context, into: packet.baseAddress! + suite.headerLength, body)
    }

    /// Authenticates and decrypts a GCM packet with `context` into `output` (the ciphertext's
    /// length; the ciphertext's own place for in-place opening), then calls `body` with the
    /// payload there and its next header.
    static func openGCM<R>(packet: UnsafeRawBufferPointer, spi: UInt32, sequence: UInt64, extended: Bool, keys: Keys,
                           context: GCMContext, into output: UnsafeMutableRawPointer,
                           _ body: (UnsafeRawBufferPointer, UInt8) -> R) throws(AgentError) -> R {
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
        return body(UnsafeRawBufferPointer(rebasing: plain[0..<length]), nextHeader)
    }
}
