import Hashing

/// A hash value as a fixed-size dictionary key: up to 64 bytes in eight words, with the
/// algorithm. A digest's bytes are uniform, so hashing the first word is enough; equality
/// compares every word. No heap allocation, unlike a `[UInt8]` key.
struct DigestKey: Hashable, Sendable {
    let algorithm: HashAlgorithm
    private var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)

    init(_ algorithm: HashAlgorithm, _ digest: [UInt8]) {
        self.algorithm = algorithm
        precondition(digest.count <= 64, "a digest longer than 64 bytes")
        // The words after the digest stay zero (two digests of one algorithm have one length).
        withUnsafeMutableBytes(of: &words) { raw in
            digest.withUnsafeBytes { raw.copyMemory(from: $0) }
        }
    }

    /// The `algorithm` digest of `bytes`, hashed straight into the key's words.
    init(_ algorithm: HashAlgorithm, of bytes: UnsafeRawBufferPointer) {
        self.algorithm = algorithm
        withUnsafeMutableBytes(of: &words) { raw in
            _ = algorithm.digest(bytes, into: raw)
        }
    }

    /// The digest's bytes.
    var bytes: [UInt8] {
        withUnsafeBytes(of: words) { Array($0.prefix(algorithm.digestLength)) }
    }

    static func == (lhs: DigestKey, rhs: DigestKey) -> Bool {
        lhs.algorithm == rhs.algorithm
            && lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
            && lhs.words.3 == rhs.words.3 && lhs.words.4 == rhs.words.4 && lhs.words.5 == rhs.words.5
            && lhs.words.6 == rhs.words.6 && lhs.words.7 == rhs.words.7
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
    }
}
