import Hashing
import Logging
import NIOCore
import PolicyCompiler
import RSA
import SExpr
import SPKI

/// The registrar: enrollment, requests, renewal and pulls over one database. The HTTP
/// layer (`RegistrarServer`) only moves bytes in and out of it; every decision is here.
public final class RegistrarService: Sendable {
    public struct Configuration: Sendable {
        /// The registrar's name, as policies name it.
        public var name: String
        /// Its key pair: it signs what it issues.
        public var key: RSAKeyFile
        /// The URL other registrars and agents reach it at (recorded, informative).
        public var url: String?
        public var skew: Int64 = SignedRequest.defaultSkew
        public var sizeLimit: Int = SignedRequest.defaultSizeLimit
        /// How long before an epoch starts its certificates are issued, at most (half the
        /// renewal period when that is shorter).
        public var renewalAdvance: Int64 = 300
        /// Whether pulls answer If-None-Match from the ETags in memory (`ETagCache`);
        /// off, every check reads the database (for measuring what the memory saves).
        public var etagMemory = true
        /// How many vpxis are renewed at once (each signs on one core; fewer leaves cores
        /// to the pulls while a renewal pass runs).
        public var renewalWidth = System.coreCount
        /// How many compiled vpxis renewals keep in memory between epochs (`RenewalCache`:
        /// the least recently used is dropped past it; 0 keeps none, and every renewal
        /// compiles its vpxi again). Each holds the model of the pool its vpxi was compiled
        /// against (the pool snapshot stored with its policy), so on a large pool this
        /// bounds the memory renewals take (`vpxi-registrar serve --renewal-cache N`).
        public var renewalCacheSize = RenewalCache.defaultCapacity

        public init(name: String, key: RSAKeyFile, url: String? = nil) {
            self.name = name
            self.key = key
            self.url = url
        }
    }

    public let configuration: Configuration
    public let database: any RegistrarDatabase
    public let bundleSource: any BundleSource
    public let metrics: RegistrarMetrics
    let clock: @Sendable () -> Int64
    let compiler: VPXICompiler
    let logger: Logger
    /// The registrar's own principal: what enrolled resource certs must name as subject.
    let principal: Principal
    /// The current ETags of pulled documents (SQLite: this registrar makes every change
    /// itself; PostgreSQL: trusted for long only while following the others' changes).
    let etags: ETagCache
    /// What renewals keep between epochs (compiled vpxis, parsed slots, signers).
    let renewalCache: RenewalCache
    /// The chain documents pulled lately, rendered, by ETag.
    let chainDocuments = ChainDocumentCache()
    /// The bundles pulled lately, built from their base and delta, by ETag.
    let bundleBodies = ChainDocumentCache(capacity: 32 << 20)
    /// The base each bundle was last stored against (`RegistrarService+BundleRows`).
    let bundleBases = BundleBaseCache()
    /// The enrolled certs known to be recorded for every epoch (`RegistrarService+Record`).
    let enrolledRecords = EnrolledRecords()

    public init(configuration: Configuration, database: any RegistrarDatabase, bundleSource: any BundleSource = NodeBundleSource.ephemeral(),
                metrics: RegistrarMetrics = RegistrarMetrics(), logger: Logger = Logger(label: "vpxi-registrar"),
                clock: @escaping @Sendable () -> Int64 = { RegistrarService.systemTime() }) {
        self.configuration = configuration
        self.database = database
        self.bundleSource = bundleSource
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
        compiler = VPXICompiler(registrarName: configuration.name, registrarKey: configuration.key)
        principal = Principal(key: configuration.key)
        renewalCache = RenewalCache(capacity: configuration.renewalCacheSize)
        etags = configuration.etagMemory ? ETagCache(mode: database.dialect == .sqlite ? .following : .expiring)
            : ETagCache(lifetime: .zero, followedLifetime: .zero)
    }

    /// Seconds since the epoch, from the system clock.
    public static func systemTime() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec)
    }

    public var now: Int64 { clock() }

    /// Runs the migrations and records this registrar (name, key, URL) in the database;
    /// says what the migrations did.
    @discardableResult
    public func start() async throws(RegistrarError) -> SchemaUpgrade {
        guard PoolSnapshot.isValidName(configuration.name) else {
            throw RegistrarError(.malformed, "`\(configuration.name)` is not a valid registrar name", help: "use letters, digits, `-` and `_`")
        }
        guard configuration.key.isPrivate else {
            throw RegistrarError(.malformed, "the registrar's key file holds no private key", help: "give the registrar's private key with --key")
        }
        return try await storage {
            let upgrade = try await Migrations.run(on: self.database)
            let name = self.configuration.name
            let key = self.configuration.key.publicKeySExpr.advanced(width: 0)
            let hash = Self.keyHash(self.configuration.key)
            let url = self.configuration.url.map(DBValue.text) ?? .null
            let now = self.now
            try await self.database.transaction { tx in
                let existing = try await tx.query("SELECT name, key_hash FROM registrars WHERE name = $1 OR key_hash = $2", [.text(name), .text(hash)])
                if let other = existing.first(where: { (try? $0.text("key_hash")) != hash || (try? $0.text("name")) != name }) {
                    let otherName = other["name"].text ?? "?"
                    let message = otherName == name
                        ? "the database already knows registrar `\(name)` with another key"
                        : "the database already knows this key as registrar `\(otherName)`, not `\(name)`"
                    throw RegistrarError(.conflict, message,
                                         help: "each registrar has its own name and key: give the name recorded with this key, or the key recorded under this name, or another database")
                }
                if existing.isEmpty {
                    try await tx.query("INSERT INTO registrars (name, key, key_hash, url, seen_at) VALUES ($1, $2, $3, $4, $5)",
                                       [.text(name), .text(key), .text(hash), url, .int(now)])
                } else {
                    try await tx.query("UPDATE registrars SET url = $2, seen_at = $3 WHERE name = $1", [.text(name), url, .int(now)])
                }
            }
            return upgrade
        }
    }

    /// The identity of a key: lowercase hex SHA-256 of its principal's canonical form.
    public static func keyHash(_ key: RSAKeyFile) -> String { Hex.encode(Principal(key: key).id.bytes) }

    /// Runs `body`, mapping every error that is not already a `RegistrarError` to a
    /// storage error.
    func storage<T: Sendable>(_ body: () async throws -> T) async throws(RegistrarError) -> T {
        do {
            return try await body()
        } catch let error as RegistrarError {
            throw error
        } catch {
            // A shutdown cancels work in flight: not a failure worth a log line.
            if !(error is CancellationError) { logger.error("storage failure: \(String(reflecting: error))") }
            throw RegistrarError.storage("the database failed: \(String(describing: error).prefix(300))")
        }
    }

    // MARK: Requests

    /// Handles a signed request: verifies it, records its nonce (a replay is refused),
    /// then performs its operation. Returns the answer document.
    public func handle(_ body: [UInt8]) async throws(RegistrarError) -> SExpr {
        let request = try SignedRequest.verify(body, now: now, skew: configuration.skew, sizeLimit: configuration.sizeLimit)
        switch request.op {
        case "enroll", "create-vpxi", "add-user", "remove-user", "delegate", "release-vpxi": break
        default:
            throw RegistrarError(.malformed, "unknown operation `\(request.op)`", help: "the operations are enroll, create-vpxi, add-user, remove-user, delegate and release-vpxi")
        }
        return try await perform(request)
    }

    /// Records the nonce of a verified request, then performs it.
    func perform(_ request: SignedRequest) async throws(RegistrarError) -> SExpr {
        if request.op != "enroll" {
            // An unknown signer is refused before anything is written.
            let signer = request.signerID
            let known = try await storage { try await database.read("SELECT name FROM users WHERE key_hash = $1", [.text(signer)]) }
            guard !known.isEmpty else {
                throw RegistrarError(.unknownRequester, "the key that signed the request is not a registered user",
                                     help: "ask the operator to register your public key (`vpxi-registrar user add`)")
            }
        }
        try await recordNonce(request)
        switch request.op {
        case "enroll": return try await enroll(request)
        case "create-vpxi": return try await createVPXI(request)
        case "add-user": return try await addUser(request)
        case "remove-user": return try await removeUser(request)
        case "delegate": return try await delegate(request)
        default: return try await release(request)
        }
    }

    /// Records the request's nonce; refuses one already seen.
    func recordNonce(_ request: SignedRequest) async throws(RegistrarError) {
        let nonce = Hex.encode(request.nonce)
        let signer = request.signerID
        let now = self.now
        let inserted = try await storage {
            try await database.transaction { tx in
                try await tx.query("INSERT INTO nonces (nonce, requester, seen_at) VALUES ($1, $2, $3) ON CONFLICT (nonce) DO NOTHING RETURNING nonce",
                                   [.text(nonce), .text(signer), .int(now)])
            }
        }
        guard !inserted.isEmpty else {
            metrics.refused(.replayed)
            throw RegistrarError(.replayed, "the request's nonce was already used: this is a replay", help: "sign a new request with a fresh nonce")
        }
    }

    /// The registered user whose key signed `request`.
    func requester(_ request: SignedRequest, in tx: any DBTransaction) async throws -> (name: String, operator: Bool) {
        let rows = try await tx.query("SELECT name, operator FROM users WHERE key_hash = $1", [.text(request.signerID)])
        guard let row = rows.first else {
            throw RegistrarError(.unknownRequester, "the key that signed the request is not a registered user",
                                 help: "ask the operator to register your public key (`vpxi-registrar user add`)")
        }
        return (try row.text("name"), (row["operator"].int ?? 0) != 0)
    }

    /// Removes nonces older than twice the skew (a request that old is refused anyway).
    public func pruneNonces() async throws(RegistrarError) {
        let cutoff = now - 2 * configuration.skew
        _ = try await storage {
            try await database.transaction { tx in try await tx.query("DELETE FROM nonces WHERE seen_at < $1", [.int(cutoff)]) }
        }
    }

    /// `"` + the first 32 hex digits of the SHA-256 of `bytes` + `"`.
    static func etag(_ bytes: [UInt8]) -> String { "\"" + Hex.encode(Array(HashAlgorithm.sha256.digest(bytes).prefix(16))) + "\"" }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension RegistrarService {
    /// Handles a signed request posted to the endpoint of `expecting`; for the per-vpxi
    /// endpoints the path's vpxi must be the request's.
    public func handle(_ body: [UInt8], expecting op: String, vpxi: String?) async throws(RegistrarError) -> SExpr {
        let request = try SignedRequest.verify(body, now: now, skew: configuration.skew, sizeLimit: configuration.sizeLimit)
        guard request.op == op else {
            throw RegistrarError(.malformed, "this endpoint takes `(op \(op))` requests, not `\(request.op)`", help: "see Docs/registrar.md for the endpoint of each operation")
        }
        if let vpxi, request.argument("vpxi") != vpxi {
            throw RegistrarError(.malformed, "the request's `(vpxi ...)` is not the vpxi of the path (`\(vpxi)`)")
        }
        return try await perform(request)
    }
}
