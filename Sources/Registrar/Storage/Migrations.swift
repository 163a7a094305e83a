/// The schema, as numbered migrations run at start (each once, in order, in one
/// transaction with the version bump). One statement serves both engines: integers and
/// text, binary content as base64 or hexadecimal text, except the bundles' and the certs'
/// bytes (migrations 4 to 6: `BYTEA` columns, PostgreSQL's bytes; SQLite keeps a blob in
/// them as is).
enum Migrations {
    static let all: [[String]] = [
        // 1: the pool, the users, what was issued.
        [
            """
            CREATE TABLE registrars (
              name TEXT PRIMARY KEY, key TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE,
              url TEXT, seen_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE users (
              name TEXT PRIMARY KEY, key TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE,
              communities TEXT NOT NULL, clearance TEXT, operator BIGINT NOT NULL, added_at BIGINT NOT NULL)
            """,
            "CREATE TABLE tokens (token_hash TEXT PRIMARY KEY, host TEXT NOT NULL, created_at BIGINT NOT NULL, used_at BIGINT)",
            """
            CREATE TABLE hosts (
              name TEXT PRIMARY KEY, registrar TEXT NOT NULL, key TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE,
              cpus BIGINT NOT NULL, memory BIGINT NOT NULL, disk BIGINT NOT NULL,
              hypervisor TEXT, site TEXT, trusted_by TEXT NOT NULL, locators TEXT NOT NULL,
              enrolled_at BIGINT NOT NULL, approved_by TEXT NOT NULL)
            """,
            """
            CREATE TABLE slots (
              host TEXT NOT NULL, idx BIGINT NOT NULL, key TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE,
              resource_cert TEXT NOT NULL, not_after BIGINT,
              vpxi TEXT, machine TEXT, cpus BIGINT NOT NULL DEFAULT 0, memory BIGINT NOT NULL DEFAULT 0, disk BIGINT NOT NULL DEFAULT 0,
              PRIMARY KEY (host, idx))
            """,
            "CREATE INDEX slots_vpxi ON slots (vpxi)",
            """
            CREATE TABLE vpxis (
              name TEXT PRIMARY KEY, owner TEXT NOT NULL, registrar TEXT NOT NULL, status TEXT NOT NULL,
              policy TEXT NOT NULL, epoch BIGINT NOT NULL, window_end BIGINT NOT NULL,
              created_at BIGINT NOT NULL, released_at BIGINT)
            """,
            """
            CREATE TABLE certs (
              hash TEXT NOT NULL, vpxi TEXT NOT NULL, epoch BIGINT NOT NULL, flow TEXT NOT NULL, machine TEXT NOT NULL,
              issuer TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, signed BIGINT NOT NULL,
              not_after BIGINT NOT NULL, requester TEXT NOT NULL, issued_by TEXT NOT NULL, issued_at BIGINT NOT NULL,
              PRIMARY KEY (vpxi, epoch, hash))
            """,
            "CREATE INDEX certs_vpxi ON certs (vpxi, epoch)",
            """
            CREATE TABLE chains (
              vpxi TEXT NOT NULL, principal TEXT NOT NULL, epoch BIGINT NOT NULL, template TEXT NOT NULL, body TEXT NOT NULL, etag TEXT NOT NULL,
              PRIMARY KEY (vpxi, principal))
            """,
            """
            CREATE TABLE bundles (
              host TEXT NOT NULL, vpxi TEXT NOT NULL, epoch BIGINT NOT NULL, body TEXT NOT NULL, etag TEXT NOT NULL,
              updated_at BIGINT NOT NULL, PRIMARY KEY (host, vpxi))
            """,
            "CREATE TABLE nonces (nonce TEXT PRIMARY KEY, requester TEXT NOT NULL, seen_at BIGINT NOT NULL)",
        ],
        // 2: vpxis across registrars (paper 4.2.2). The ESP secret of a vpxi, wrapped by the
        // registrar that builds it to each other registrar whose hosts it uses (base64); and
        // what each of those last built its hosts' bundles from (a digest of the policy, the
        // epoch and the certs recorded for it).
        [
            "CREATE TABLE vpxi_secrets (vpxi TEXT NOT NULL, registrar TEXT NOT NULL, wrapped TEXT NOT NULL, PRIMARY KEY (vpxi, registrar))",
            """
            CREATE TABLE foreign_builds (
              vpxi TEXT NOT NULL, registrar TEXT NOT NULL, digest TEXT NOT NULL, built_at BIGINT NOT NULL,
              PRIMARY KEY (vpxi, registrar))
            """,
        ],
        // 3: the owners' delegations to secondary users (paper 4.2.3, flow 3): each
        // `(sequence CERT SIGNATURE)` accepted, never deleted; the issuer and subject are
        // user names, the bounds the cert's validity; `seq` orders a vpxi's delegations
        // as accepted (the newest stands where several could).
        [
            """
            CREATE TABLE delegations (
              vpxi TEXT NOT NULL, hash TEXT NOT NULL, seq BIGINT NOT NULL, machine TEXT NOT NULL, issuer TEXT NOT NULL,
              subject TEXT NOT NULL, body TEXT NOT NULL, not_before BIGINT NOT NULL, not_after BIGINT NOT NULL,
              requester TEXT NOT NULL, accepted_at BIGINT NOT NULL, PRIMARY KEY (vpxi, hash))
            """,
        ],
        // 4: a bundle's bytes as bytes (`data`), not base64 text: a third less to write each
        // epoch, and no encoding. Rows written before keep their base64 `body` (and no
        // `data`) and are read as before; new rows leave `body` empty. `certs_vpxi` goes:
        // the primary key (vpxi, epoch, hash) already serves its look-ups.
        [
            "ALTER TABLE bundles ADD COLUMN data BYTEA",
            "DROP INDEX certs_vpxi",
        ],
        // 5: what a renewal records, without copies (see `RegistrarService+Record`). A
        // cert's canonical bytes in `certs.data` (new rows leave `body` empty; rows written
        // before keep their text in `body` and are read as before). The enrolled resource
        // certs every epoch presents are recorded once per vpxi, marked `every_epoch = 1`
        // (unique per vpxi and hash), at the first epoch that presents them. A user's
        // chains are stored as their template and ETag (`body` empty), the document built
        // from the certs when pulled; rows written before keep their `body` and are served
        // from it until their next epoch replaces them.
        [
            "ALTER TABLE certs ADD COLUMN data BYTEA",
            "ALTER TABLE certs ADD COLUMN every_epoch BIGINT",
            "CREATE UNIQUE INDEX certs_enrolled ON certs (vpxi, hash) WHERE every_epoch = 1",
        ],
        // 6: a bundle stored as a base plus a delta (see `RegistrarService+BundleRows`): the
        // bases in `bundle_bases` (a random id per vpxi and host), the row's `base` and
        // `delta` (a `BundleDelta`), `data` left NULL. Rows written before keep their whole
        // `data` (or base64 `body`) and are served from it.
        [
            "CREATE TABLE bundle_bases (vpxi TEXT NOT NULL, host TEXT NOT NULL, base BIGINT NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (vpxi, host, base))",
            "ALTER TABLE bundles ADD COLUMN base BIGINT",
            "ALTER TABLE bundles ADD COLUMN delta BYTEA",
        ],
    ]

    /// Brings the schema to the latest version; says from which version.
    @discardableResult
    static func run(on database: any RegistrarDatabase) async throws -> SchemaUpgrade {
        try await database.transaction { tx in
            if tx.dialect == .postgres {
                // Registrars starting together migrate one after the other.
                try await tx.query("SELECT pg_advisory_xact_lock(8440) AS locked", [])
            }
            try await tx.query("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)", [])
            let rows = try await tx.query("SELECT MAX(version) AS version FROM schema_version", [])
            let current = rows.first?["version"].int ?? 0
            guard current <= Int64(all.count) else {
                throw RegistrarError(.conflict, "the database's schema is version \(current), newer than this registrar's (\(all.count)): a newer vpxi-registrar has migrated it",
                                     help: "run the newer vpxi-registrar; this one would misread what the newer one writes")
            }
            for (index, statements) in all.enumerated() where Int64(index + 1) > current {
                for statement in statements { try await tx.query(statement, []) }
                try await tx.query("INSERT INTO schema_version (version) VALUES ($1)", [.int(Int64(index + 1))])
            }
            if tx.dialect == .postgres {
                for statement in PostgresStore.changeTriggers { try await tx.query(statement, []) }
            }
            return SchemaUpgrade(from: Int(current), to: all.count)
        }
    }

    static var latest: Int { all.count }
}

/// What a start did to the schema: the version found and the version left.
public struct SchemaUpgrade: Sendable, Equatable {
    /// The version the database had (0: a new database).
    public let from: Int
    /// The version it has now: the latest this build knows.
    public let to: Int

    /// `schema 6 (migrations 1-6 applied)`, or `schema 6, up to date`.
    public var summary: String {
        if to == from { return "schema \(to), up to date" }
        return from + 1 == to ? "schema \(to) (migration \(to) applied)" : "schema \(to) (migrations \(from + 1)-\(to) applied)"
    }
}
