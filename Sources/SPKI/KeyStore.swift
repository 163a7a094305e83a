import Hashing
import RSA
import SExpr

/// The public keys known to a verifier: those carried in sequences and certs, and those
/// given explicitly. Resolves principals written as hashes (SHA-256, and SHA-1 or MD5 in
/// legacy objects) to their keys.
public struct KeyStore: Sendable {
    /// A known key: its principal and the RSA public key.
    public struct Entry: Sendable {
        public let principal: Principal
        public let publicKey: RSAPublicKey
        public var id: PrincipalID { principal.id }
    }

    /// Keys by their identity, the SHA-256 of the key: a fixed-size dictionary key (a
    /// key's identity is always a resolved SHA-256 hash), no array hashing or comparison.
    private var entries: [DigestKey: Entry] = [:]
    /// Legacy-hash identities (`sha1:…`, `md5:…`) of known keys.
    private var legacy: [PrincipalID: PrincipalID] = [:]

    public init() {}

    /// The number of keys.
    public var count: Int { entries.count }

    /// Adds a key given as a principal `(public-key ...)`; hashes are ignored. Returns the
    /// error when the key cannot be loaded (wrong numbers, unsupported algorithm).
    @discardableResult
    public mutating func add(_ principal: Principal) throws(SPKIError) -> Bool {
        guard principal.isKey, entries[Self.slot(principal.id)] == nil else { return false }
        let key: RSAPublicKey
        do {
            key = try RSASExpr.decodePublicKey(principal.sexp)
        } catch {
            throw SPKIError(.badKey, "a public key in the input cannot be used: \(error.message)", field: "public-key", help: error.help)
        }
        add(key: key, principal: principal)
        return true
    }

    /// Adds a key from a key file.
    public mutating func add(key: RSAKeyFile) {
        add(key: key.publicKey, principal: Principal(key: key))
    }

    private mutating func add(key: RSAPublicKey, principal: Principal) {
        entries[Self.slot(principal.id)] = Entry(principal: principal, publicKey: key)
        for algorithm in legacyIndexed { index(principal, algorithm) }
    }

    /// The dictionary key of a resolved identity (32 bytes).
    private static func slot(_ id: PrincipalID) -> DigestKey { DigestKey(.sha256, id.bytes) }

    /// The legacy hash algorithms indexed so far.
    private var legacyIndexed: Set<HashAlgorithm> = []

    private mutating func index(_ principal: Principal, _ algorithm: HashAlgorithm) {
        let digest = algorithm.digest(principal.sexp.canonical)
        legacy[PrincipalID(bytes: Array("\(algorithm.rawValue):".utf8) + digest)] = principal.id
    }

    /// Indexes the keys (present and future) by their SHA-1, MD5 or SHA-512 hash, so that
    /// legacy principals resolve in constant time. Without it they resolve by a scan.
    public mutating func indexLegacyHashes(_ algorithms: Set<HashAlgorithm>) {
        for algorithm in algorithms.subtracting(legacyIndexed) where algorithm != .sha256 {
            legacyIndexed.insert(algorithm)
            for entry in entries.values { index(entry.principal, algorithm) }
        }
    }

    /// The key of a principal (a key, or a hash of a known key).
    public func key(for principal: Principal) -> Entry? {
        key(id: principal.id)
    }

    /// The key with this identity.
    public func key(id: PrincipalID) -> Entry? {
        if id.isResolved { return entries[Self.slot(id)] }
        if let resolved = legacy[id] { return entries[Self.slot(resolved)] }
        guard let colon = id.bytes.firstIndex(of: UInt8(ascii: ":")),
              let algorithm = HashAlgorithm(rawValue: String(decoding: id.bytes[..<colon], as: UTF8.self)),
              !legacyIndexed.contains(algorithm) else { return nil }
        let digest = Array(id.bytes[(colon + 1)...])
        return entries.values.first { algorithm.digest($0.principal.sexp.canonical) == digest }
    }
}
