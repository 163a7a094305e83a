import Hashing

/// A deterministic `RandomNumberGenerator`: SHA-256 of a 32-byte seed and a counter. Used
/// only to supply OAEP seeds that are unique per wrapped key and host, and reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private let seed: [UInt8]
    private var counter: UInt64 = 0
    private var buffer: [UInt8] = []

    init(seed: [UInt8]) {
        self.seed = seed
    }

    mutating func next() -> UInt64 {
        if buffer.count < 8 {
            var input = seed
            withUnsafeBytes(of: counter.bigEndian) { input.append(contentsOf: $0) }
            counter += 1
            buffer.append(contentsOf: HashAlgorithm.sha256.digest(input))
        }
        var value: UInt64 = 0
        for byte in buffer.prefix(8) { value = value << 8 | UInt64(byte) }
        buffer.removeFirst(8)
        return value
    }
}
