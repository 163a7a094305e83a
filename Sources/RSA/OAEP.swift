import Hashing

/// EME-OAEP encoding and decoding with SHA-256 and MGF1-SHA-256 (RFC 8017 §7.1).
enum OAEP {
    static let hash = HashAlgorithm.sha256
    static let hLen = 32

    /// The longest message that fits a k-byte modulus.
    static func maximumMessageLength(_ k: Int) -> Int { k - 2 * hLen - 2 }

    /// `EM = 0x00 || maskedSeed || maskedDB`, k bytes.
    static func encode(_ message: [UInt8], label: [UInt8], length k: Int,
                       using generator: inout some RandomNumberGenerator) throws(RSAError) -> [UInt8] {
        let limit = maximumMessageLength(k)
        guard message.count <= limit else {
            throw RSAError(.messageTooLong, "the message is \(message.count) bytes, a \(k * 8)-bit key encrypts at most \(max(limit, 0)) bytes with OAEP-SHA-256",
                           help: "encrypt a symmetric key with RSA and the data with that key")
        }
        // DB = lHash || PS || 0x01 || M
        var db = hash.digest(label)
        db.append(contentsOf: repeatElement(0, count: k - message.count - 2 * hLen - 2))
        db.append(0x01)
        db.append(contentsOf: message)
        var seed = [UInt8](repeating: 0, count: hLen)
        var index = 0
        while index < hLen {
            var word = generator.next()
            for _ in 0..<8 where index < hLen { seed[index] = UInt8(truncatingIfNeeded: word); word >>= 8; index += 1 }
        }
        let dbMask = mgf1(seed, length: k - hLen - 1)
        for i in 0..<db.count { db[i] ^= dbMask[i] }
        let seedMask = mgf1(db, length: hLen)
        for i in 0..<hLen { seed[i] ^= seedMask[i] }
        return [0x00] + seed + db
    }

    /// Recovers the message from a k-byte `EM`. Every check runs in constant time and any
    /// failure gives the same error, so the result leaks nothing that helps an attacker
    /// (Manger's attack).
    static func decode(_ em: [UInt8], label: [UInt8]) throws(RSAError) -> [UInt8] {
        let k = em.count
        let failure = RSAError(.decryptionFailed, "the ciphertext does not decrypt with this key and label",
                               help: "check that it was encrypted to this key with RSA-OAEP, SHA-256 and MGF1-SHA-256, and the same label")
        guard k >= 2 * hLen + 2 else { throw failure }
        let lHash = hash.digest(label)
        var seed = Array(em[1...hLen])
        var db = Array(em[(hLen + 1)...])
        let seedMask = mgf1(db, length: hLen)
        for i in 0..<hLen { seed[i] ^= seedMask[i] }
        let dbMask = mgf1(seed, length: k - hLen - 1)
        for i in 0..<db.count { db[i] ^= dbMask[i] }

        var good = ConstantTime.isZero(em[0])
        var hashDifference: UInt8 = 0
        for i in 0..<hLen { hashDifference |= db[i] ^ lHash[i] }
        good &= ConstantTime.isZero(hashDifference)

        // Find the 0x01 after the zero padding without branching on the data.
        var lookingForOne: UInt8 = 1
        var messageStart = 0
        var invalidPadding: UInt8 = 0
        for i in hLen..<db.count {
            let isOne = ConstantTime.isEqual(db[i], 0x01)
            let isZero = ConstantTime.isZero(db[i])
            messageStart = ConstantTime.select(lookingForOne & isOne, i + 1, messageStart)
            invalidPadding |= lookingForOne & (1 ^ isOne) & (1 ^ isZero)
            lookingForOne &= 1 ^ isOne
        }
        good &= 1 ^ lookingForOne
        good &= 1 ^ invalidPadding
        guard good == 1 else { throw failure }
        return Array(db[messageStart...])
    }

    /// MGF1 with SHA-256 (RFC 8017 B.2.1).
    static func mgf1(_ seed: [UInt8], length: Int) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(length + hLen)
        var counter: UInt32 = 0
        var input = seed + [0, 0, 0, 0]
        while output.count < length {
            input[seed.count] = UInt8(truncatingIfNeeded: counter >> 24)
            input[seed.count + 1] = UInt8(truncatingIfNeeded: counter >> 16)
            input[seed.count + 2] = UInt8(truncatingIfNeeded: counter >> 8)
            input[seed.count + 3] = UInt8(truncatingIfNeeded: counter)
            output.append(contentsOf: hash.digest(input))
            counter += 1
        }
        return Array(output.prefix(length))
    }
}
