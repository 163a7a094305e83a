import Hashing

/// HKDF with HMAC-SHA-256 (RFC 5869), with the extract step done once: the back ends derive
/// hundreds of thousands of keys from one secret and one salt, so only the expand step runs
/// per key (two or four SHA-256 blocks per 32 bytes of output).
struct HKDFSHA256: Sendable {
    /// The pseudorandom key padded with ipad and opad: the HMAC key schedule.
    private let innerPad: [UInt8]
    private let outerPad: [UInt8]

    init(salt: [UInt8], inputKeyMaterial: [UInt8]) {
        let prk = Self.hmac(key: salt, message: inputKeyMaterial)
        (innerPad, outerPad) = Self.pads(prk)
    }

    /// `HKDF-Expand(PRK, info, length)`; length at most 255 × 32 bytes.
    func expand(info: [UInt8], length: Int) -> [UInt8] {
        precondition(length > 0 && length <= 255 * 32, "HKDF-SHA-256 gives 1 to 8160 bytes")
        var output: [UInt8] = []
        output.reserveCapacity(length + 32)
        var message: [UInt8] = []
        message.reserveCapacity(32 + info.count + 1)
        var counter: UInt8 = 1
        while output.count < length {
            // T(i) = HMAC(PRK, T(i-1) | info | i)
            message.append(contentsOf: info)
            message.append(counter)
            let block = Self.hmac(innerPad: innerPad, outerPad: outerPad, message: message)
            output.append(contentsOf: block)
            message.removeAll(keepingCapacity: true)
            message.append(contentsOf: block)
            counter &+= 1
        }
        output.removeLast(output.count - length)
        return output
    }

    static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        let (inner, outer) = pads(key)
        return hmac(innerPad: inner, outerPad: outer, message: message)
    }

    private static func hmac(innerPad: [UInt8], outerPad: [UInt8], message: [UInt8]) -> [UInt8] {
        var buffer = innerPad
        buffer.reserveCapacity(64 + max(message.count, 32))
        buffer.append(contentsOf: message)
        let inner = HashAlgorithm.sha256.digest(buffer)
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: outerPad)
        buffer.append(contentsOf: inner)
        return HashAlgorithm.sha256.digest(buffer)
    }

    /// The 64-byte SHA-256 block of the key (hashed first when longer) XOR 0x36 and 0x5c.
    private static func pads(_ key: [UInt8]) -> ([UInt8], [UInt8]) {
        var block = key.count > 64 ? HashAlgorithm.sha256.digest(key) : key
        block.append(contentsOf: repeatElement(0, count: 64 - block.count))
        return (block.map { $0 ^ 0x36 }, block.map { $0 ^ 0x5c })
    }
}
