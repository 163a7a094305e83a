import Hashing
import RSA
import SExpr

/// The public keys known to a verifier: those carried in sequences and certs, and those
/// given explicitly. Resolves principals written as hashes (SHA-256, and SHA-1 or MD5 in
/// legacy objects) to their keys.
public struct KeyStore: Sendable {
    /// A known key: its principal and the loaded RSA key.
    public struct Entry: Sendable {
        public let principal: Principal
        public let key: RSAKeyFile
        public var id: PrincipalID { principal.id }
    }

    private var entries: [PrincipalID: Entry] = [:]
    /// Legacy-hash identities (`sha1:…`, `md5:…`) of known keys.
    private var legacy: [PrincipalID: PrincipalID] = [:]

    public init() {}

    /// The number of keys.
    public var count: Int { entries.count }

    /// Adds a key given as a principal `(public-key ...)`; hashes are ignored. Returns the
    /// error when the key cannot be loaded (wrong numbers, unsupported algorithm).
    @discardableResult
    public mutating func add(_ principal: Principal) throws(SPKIError) -> Bool {
        guard principal.isKey, entries[principal.id] == nil else { return false }
        let key: RSAKeyFile
        do {
            key = try RSAKeyFile.load(principal.sexp.canonical)
        } catch {
            throw SPKIError(.badKey, "a public key in the input cannot be used: \(error.message)", field: "public-key", help: error.help)
        }
        add(key: key, principal: principal)
        return true
    }

    /// Adds a key from a key file.
    public mutating func add(key: RSAKeyFile) {
        add(key: key, principal: Principal(key: key))
    }

    private mutating func add(key: RSAKeyFile, principal: Principal) {
        entries[principal.id] = Entry(principal: principal, key: key)
        let bytes = principal.sexp.canonical
        for algorithm in [HashAlgorithm.sha1, .md5, .sha512] {
            legacy[PrincipalID(bytes: Array("\(algorithm.rawValue):".utf8) + algorithm.digest(bytes))] = principal.id
        }
    }

    /// The key of a principal (a key, or a hash of a known key).
    public func key(for principal: Principal) -> Entry? {
        if let entry = entries[principal.id] { return entry }
        if let id = legacy[principal.id] { return entries[id] }
        return nil
    }

    /// The key with this identity.
    public func key(id: PrincipalID) -> Entry? { entries[id] ?? legacy[id].flatMap { entries[$0] } }
}
