import Hashing
import RSA
import SExpr

/// Every cert a verifier has, with its signature checked, indexed for reduction and chain
/// discovery. Built from sequences (or loose certs, keys and signatures) by `CertBag.Builder`.
public struct CertBag: Sendable {
    /// Whether a cert's signature was checked, and how that went.
    public enum SignatureStatus: Hashable, Sendable {
        /// Verified; `legacy` names SHA-1 or MD5 when the signature used one.
        case verified(legacy: HashAlgorithm?)
        /// Not checked (`--unsigned`).
        case unchecked
        /// No signature in the input covers this cert.
        case missing
        /// The issuer's key is neither in the input nor in the key store.
        case keyUnknown
        /// A signature covers the cert but does not verify.
        case invalid(reason: String)

        /// Whether the cert may be used.
        public var isUsable: Bool {
            switch self {
            case .verified, .unchecked: return true
            default: return false
            }
        }

        /// Why the cert may not be used.
        public var problem: String? {
            switch self {
            case .verified, .unchecked: return nil
            case .missing: return "no signature covers it"
            case .keyUnknown: return "the issuer's key is not in the input nor in the key store, so its signature cannot be checked"
            case .invalid(let reason): return reason
            }
        }
    }

    /// One cert of the bag.
    public struct Entry: Sendable {
        /// The cert, principals resolved.
        public let cert: Cert
        /// Where it came from: `file.sexp, item 3`.
        public var origin: String { item.map { "\(source), item \($0)" } ?? source }
        /// The file or name it came from, and its item number in a sequence of several
        /// (the `origin` text is made only when asked for).
        let source: String
        let item: Int?
        /// The signature that covers it, if any.
        public let signature: SPKISignature?
        public internal(set) var status: SignatureStatus
        /// SHA-256 of the signed bytes.
        public var digest: [UInt8] { digestKey.bytes }
        /// The same, as kept (fixed size, no allocation).
        let digestKey: DigestKey
    }

    public let entries: [Entry]
    public let keys: KeyStore
    /// For each sequence added, the bag indices of its certs in their order.
    public let sequences: [[Int]]
    /// Authorization certs by issuer.
    let authByIssuer: [PrincipalID: [Int]]
    /// Name certs by issuer and name.
    let namesByIssuer: [NameKey: [Int]]

    struct NameKey: Hashable {
        let issuer: PrincipalID
        let name: SExpr.Atom
    }

    /// Authorization certs issued by `principal`.
    public func certs(issuedBy principal: PrincipalID) -> [Int] { authByIssuer[principal] ?? [] }

    /// Name certs defining `name` in `principal`'s name space.
    public func nameCerts(issuedBy principal: PrincipalID, name: SExpr.Atom) -> [Int] {
        namesByIssuer[NameKey(issuer: principal, name: name)] ?? []
    }

    /// A short label for a cert in messages: `cert 3 (file.sexp, item 5)`.
    public func label(_ index: Int) -> String { "cert \(index + 1) (\(entries[index].origin))" }

    /// Collects sequences, then checks signatures and builds the bag.
    public struct Builder: Sendable {
        var certs: [(cert: Cert, source: String, item: Int?, sequence: Int)] = []
        var sequenceCount = 0
        var signatures: [SPKISignature] = []
        public var keys: KeyStore

        public init(keys: KeyStore = KeyStore()) { self.keys = keys }

        /// Adds the items of a sequence; `origin` names its source for messages.
        public mutating func add(_ sequence: SPKISequence, origin: String) throws(SPKIError) {
            defer { sequenceCount += 1 }
            for (index, item) in sequence.items.enumerated() {
                switch item {
                case .cert(let cert):
                    certs.append((cert, origin, sequence.items.count > 1 ? index + 1 : nil, sequenceCount))
                    if cert.issuer.principal.isKey { try keys.add(cert.issuer.principal) }
                    // A subject's key is only remembered: a key we cannot use does not make
                    // the cert unreadable.
                    if case .principal(let principal) = cert.subject {
                        if principal.isKey { _ = try? keys.add(principal) }
                    } else {
                        for principal in cert.subject.principals where principal.isKey { _ = try? keys.add(principal) }
                    }
                case .publicKey(let principal):
                    try keys.add(principal)
                case .signature(let signature):
                    signatures.append(signature)
                case .doHash:
                    break
                }
            }
        }

        /// Adds a cert alone (for tests and generated bags).
        public mutating func add(_ cert: Cert, signature: SPKISignature?, origin: String) throws(SPKIError) {
            var items: [SPKISequence.Item] = [.cert(cert)]
            if let signature { items.append(.signature(signature)) }
            try add(SPKISequence(items: items), origin: origin)
        }

        /// Checks every signature (unless `checkSignatures` is false) and indexes the certs.
        /// A cert that appears more than once is kept once.
        ///
        /// Signatures are independent of each other, so they are verified on up to
        /// `workers` threads (1: on the calling thread); by default (`nil`) on one thread
        /// per core, except that fewer than 16 signed certs are checked on the calling
        /// thread. The bag is the
        /// same whatever the number of threads: certs are matched to their signatures and
        /// issuer keys in input order first, and each cert's status lands in its own slot.
        public func build(checkSignatures: Bool = true, workers: Int? = nil) -> CertBag {
            var keys = self.keys
            // Legacy principals (SHA-1, MD5 hashes) resolve through an index of the keys.
            var legacy: Set<HashAlgorithm> = []
            func note(_ principal: Principal) {
                // Keys and SHA-256 hashes have resolved identities: only others are legacy.
                if !principal.id.isResolved, let algorithm = principal.hash?.algorithm, algorithm != .sha256 { legacy.insert(algorithm) }
            }
            for (cert, _, _, _) in certs {
                note(cert.issuer.principal)
                if case .principal(let subject) = cert.subject { note(subject) } else { cert.subject.principals.forEach(note) }
            }
            if !legacy.isEmpty { keys.indexLegacyHashes(legacy) }
            // The first signature over each digest, by its index (no array per digest).
            var bySignedHash: [DigestKey: Int] = [:]
            bySignedHash.reserveCapacity(signatures.count)
            var algorithms: Set<HashAlgorithm> = []
            for (index, signature) in signatures.enumerated() {
                guard signature.digest.count <= 64 else { continue }  // matches no cert's digest
                let key = DigestKey(signature.hash, signature.digest)
                if bySignedHash[key] == nil { bySignedHash[key] = index }
                algorithms.insert(signature.hash)
            }
            var entries: [Entry] = []
            entries.reserveCapacity(certs.count)
            var seen: [DigestKey: Int] = [:]
            seen.reserveCapacity(certs.count)
            var authByIssuer: [PrincipalID: [Int]] = [:]
            authByIssuer.reserveCapacity(certs.count)
            var namesByIssuer: [NameKey: [Int]] = [:]
            var sequences = [[Int]](repeating: [], count: sequenceCount)
            let sortedAlgorithms = algorithms.sorted { $0.rawValue < $1.rawValue }
            // Signed certs to verify: their bag index and their issuer's key.
            var toCheck: [(index: Int, key: KeyStore.Entry?)] = []
            for (raw, source, item, sequence) in certs {
                // The signed bytes: the input's own when the cert arrived canonical.
                let digestKey = raw.withSignedBytes { DigestKey(.sha256, of: $0) }
                if let index = seen[digestKey] {
                    sequences[sequence].append(index)
                    continue
                }
                let cert = raw.resolved(in: keys)
                var found: SPKISignature?
                for algorithm in sortedAlgorithms {
                    let key = algorithm == .sha256 ? digestKey : raw.withSignedBytes { DigestKey(algorithm, of: $0) }
                    if let match = bySignedHash[key] {
                        found = signatures[match]
                        break
                    }
                }
                // A signature may carry the signer's key: learn it when the issuer's is unknown.
                // The issuer's key is looked up once (again only after learning one).
                var issuerKey = found == nil || !checkSignatures ? nil : keys.key(for: cert.issuer.principal)
                if let found, found.principal.hasHead(Principal.publicKeyWord),
                   issuerKey == nil && (checkSignatures || keys.key(for: cert.issuer.principal) == nil),
                   let principal = try? Principal(parsing: found.principal) {
                    if (try? keys.add(principal)) == true, checkSignatures { issuerKey = keys.key(for: cert.issuer.principal) }
                }
                let index = entries.count
                let status: SignatureStatus
                if !checkSignatures {
                    status = .unchecked
                } else if found == nil {
                    status = .missing
                } else {
                    // Verified below; the issuer's key is taken now, as the input has taught it so far.
                    status = .unchecked
                    toCheck.append((index, issuerKey))
                }
                seen[digestKey] = index
                sequences[sequence].append(index)
                entries.append(Entry(cert: cert, source: source, item: item, signature: found, status: status, digestKey: digestKey))
                switch cert.issuer {
                case .principal(let p): authByIssuer[p.id, default: []].append(index)
                case .name(let p, let n): namesByIssuer[NameKey(issuer: p.id, name: n), default: []].append(index)
                }
            }
            if !toCheck.isEmpty {
                let statuses = Self.verify(toCheck, in: entries, keys: keys, workers: workers)
                for (position, status) in statuses.enumerated() { entries[toCheck[position].index].status = status }
            }
            return CertBag(entries: entries, keys: keys, sequences: sequences, authByIssuer: authByIssuer, namesByIssuer: namesByIssuer)
        }
    }
}
