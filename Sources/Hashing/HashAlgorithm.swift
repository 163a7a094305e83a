import Crypto

/// The message digests used by SPKI objects. SHA-256 and SHA-512 are for new objects;
/// SHA-1 and MD5 exist only to verify legacy objects.
public enum HashAlgorithm: String, CaseIterable, Sendable, Hashable {
    case sha256
    case sha512
    case sha1
    case md5

    /// The SPKI algorithm word, as written in `(hash sha256 ...)`.
    public var spkiName: String { rawValue }

    /// Whether the algorithm is broken for collision resistance and kept for legacy only.
    public var isLegacy: Bool { self == .sha1 || self == .md5 }

    /// The digest length in bytes.
    public var digestLength: Int {
        switch self {
        case .sha256: return 32
        case .sha512: return 64
        case .sha1: return 20
        case .md5: return 16
        }
    }

    /// Accepts the SPKI word, case-insensitively, and the spellings `sha-256`, `sha-1`.
    public init?(name: String) {
        let folded = String(name.lowercased().filter { $0 != "-" })
        guard let value = HashAlgorithm(rawValue: folded) else { return nil }
        self = value
    }

    /// The digest of `bytes`.
    public func digest(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        switch self {
        case .sha256: return Self.run(SHA256.self, bytes)
        case .sha512: return Self.run(SHA512.self, bytes)
        case .sha1: return Self.run(Insecure.SHA1.self, bytes)
        case .md5: return Self.run(Insecure.MD5.self, bytes)
        }
    }

    /// The digest of `bytes`.
    public func digest(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { digest($0) }
    }

    /// Writes the digest of `bytes` into the first `digestLength` bytes of `output`, which
    /// must have room for them, and returns `digestLength`. No heap allocation: for callers
    /// that keep digests in fixed-size storage (dictionary keys, stack buffers).
    @discardableResult
    public func digest(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        precondition(output.count >= digestLength, "HashAlgorithm.digest(_:into:): the output has room for \(output.count) bytes, \(rawValue) needs \(digestLength)")
        switch self {
        case .sha256: Self.run(SHA256.self, bytes, into: output)
        case .sha512: Self.run(SHA512.self, bytes, into: output)
        case .sha1: Self.run(Insecure.SHA1.self, bytes, into: output)
        case .md5: Self.run(Insecure.MD5.self, bytes, into: output)
        }
        return digestLength
    }

    private static func run<H: HashFunction>(_ type: H.Type, _ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        var hasher = H()
        hasher.update(bufferPointer: bytes)
        hasher.finalize().withUnsafeBytes { output.copyMemory(from: $0) }
    }

    private static func run<H: HashFunction>(_ type: H.Type, _ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = H()
        hasher.update(bufferPointer: bytes)
        return Array(hasher.finalize())
    }
}
