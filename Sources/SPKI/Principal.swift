import Hashing
import RSA
import SExpr

/// Who a principal is, for comparison: the SHA-256 of the canonical bytes of its public
/// key, whichever way it was written (the key itself or `(hash sha256 ...)`). A principal
/// named by a SHA-1 or MD5 hash whose key is unknown gets an identity of its own
/// (`md5:DIGEST`), equal only to the same hash, until a key store resolves it.
public struct PrincipalID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Hashes the last 8 bytes as one word: a digest's bytes are already uniform, and
    /// hashing them one by one shows in reductions.
    public func hash(into hasher: inout Hasher) {
        var word: UInt64 = 0
        for byte in bytes.suffix(8) { word = word << 8 | UInt64(byte) }
        hasher.combine(word)
    }

    public static func < (lhs: PrincipalID, rhs: PrincipalID) -> Bool {
        RangeOrdering.lexicographic(lhs.bytes[...], rhs.bytes[...]) < 0
    }

    /// Whether this identity is a SHA-256 key hash (not an unresolved legacy hash).
    public var isResolved: Bool { bytes.count == 32 }

    public var description: String {
        if isResolved { return "sha256:" + Hex.encode(bytes) }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return Hex.encode(bytes) }
        return String(decoding: bytes[...colon], as: UTF8.self) + Hex.encode(Array(bytes[(colon + 1)...]))
    }
}

/// A principal: a public key `(public-key ...)` or the hash of one `(hash ALG |H|)`.
///
/// The expression is kept exactly as received: a principal hash covers the canonical bytes
/// of the key as its owner wrote it.
public struct Principal: Hashable, Sendable, CustomStringConvertible {
    /// The expression, as received.
    public let sexp: SExpr
    /// The identity used for comparison.
    public let id: PrincipalID

    /// Whether the principal is written as its key (rather than a hash).
    public var isKey: Bool { sexp.hasHead(Principal.publicKeyWord) }

    static let publicKeyWord = Array("public-key".utf8)

    /// The hash algorithm and digest of a hash principal.
    public var hash: (algorithm: HashAlgorithm, digest: [UInt8])? {
        guard sexp.head == "hash", let name = sexp.tail.first?.text, let algorithm = HashAlgorithm(name: name),
              let digest = sexp.tail.last?.atomBytes else { return nil }
        return (algorithm, digest)
    }

    /// A principal for a key file's public key, as the key file writes it.
    public init(key: RSAKeyFile) {
        sexp = key.publicKeySExpr
        id = PrincipalID(bytes: HashAlgorithm.sha256.digest(key.publicKeySExpr.canonical))
    }

    /// `(hash sha256 |H|)` of this principal's key (itself, when already a SHA-256 hash).
    public var sha256Hash: SExpr {
        id.isResolved ? ["hash", "sha256", .bytes(id.bytes)] : sexp
    }

    init(sexp: SExpr, id: PrincipalID) {
        self.sexp = sexp
        self.id = id
    }

    /// Reads `(public-key ...)` or `(hash ALG |H|)`. A key is checked for shape only here;
    /// its numbers are checked when a signature is verified with it.
    public init(parsing value: SExpr) throws(SPKIError) {
        try self.init(parsing: value, canonical: nil)
    }

    /// Reads `value`, whose canonical bytes are `canonical` when given (the input's own
    /// bytes: a key's identity is their hash, without printing it again).
    init(parsing value: SExpr, canonical: ArraySlice<UInt8>?) throws(SPKIError) {
        try self.init(parsing: value, canonicalDigest: canonical.map { $0.withUnsafeBytes { HashAlgorithm.sha256.digest($0) } })
    }

    /// Reads `value`, the SHA-256 of whose canonical bytes is `canonicalDigest` when given
    /// (a key's identity, without printing and hashing it again).
    init(parsing value: SExpr, canonicalDigest: [UInt8]?) throws(SPKIError) {
        switch value.head {
        case "public-key":
            guard value.tail.count == 1, value.tail.first?.head != nil else {
                throw SPKIError(.badPrincipal, "a public key is `(public-key (ALG (n …) (e …)))`, found \(Describe.shape(value))", field: "public-key")
            }
            sexp = value
            id = PrincipalID(bytes: canonicalDigest ?? HashAlgorithm.sha256.digest(value.canonical))
        case "hash":
            let parts = Array(value.tail)
            guard parts.count == 2, let name = parts[0].text, let digest = parts[1].atomBytes else {
                throw SPKIError(.badPrincipal, "a principal hash is `(hash ALG |DIGEST|)`, found \(Describe.clip(value.description))", field: "hash")
            }
            guard let algorithm = HashAlgorithm(name: name) else {
                throw SPKIError(.badPrincipal, "unknown hash algorithm `\(name)` in a principal", field: "hash",
                                help: "one of \(HashAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard digest.count == algorithm.digestLength else {
                throw SPKIError(.badPrincipal, "a \(name) digest is \(algorithm.digestLength) bytes, this one is \(digest.count)", field: "hash")
            }
            sexp = value
            id = algorithm == .sha256 ? PrincipalID(bytes: digest) : PrincipalID(bytes: Array("\(algorithm.rawValue):".utf8) + digest)
        default:
            throw SPKIError(.badPrincipal, "a principal is `(public-key …)` or `(hash ALG |DIGEST|)`, found \(Describe.shape(value))")
        }
    }

    /// The same principal with its identity resolved through `store` (a legacy hash whose
    /// key is known gets the key's identity).
    public func resolved(in store: KeyStore) -> Principal {
        if id.isResolved { return self }
        guard let key = store.key(for: self) else { return self }
        return Principal(sexp: sexp, id: key.id)
    }

    /// A short name for messages: `key sha256:0123456789abcdef…` (the first 8 bytes of
    /// its SHA-256 identity), or the hash as written when unresolved.
    public var description: String {
        id.isResolved ? "key sha256:\(Hex.encode(Array(id.bytes.prefix(8))))…" : Describe.clip(sexp.description)
    }

    public static func == (lhs: Principal, rhs: Principal) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

extension SExpr {
    /// Whether this is a list whose first element is an atom without a display hint with
    /// these bytes (as `head == word`, without making a `String`).
    func hasHead(_ word: [UInt8]) -> Bool {
        guard case .list(let items) = self, let first = items.first, case .atom(let atom) = first, atom.hint == nil else { return false }
        return atom.bytes == word
    }
}
