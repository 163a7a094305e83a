import SExpr

/// Bundles stored as a base plus a delta (migration 6). Between epochs a host's bundle of a
/// vpxi keeps its length and changes in a few KB of same-width ranges (dates, signatures,
/// digests, wrapped keys), so a row stores the ranges that differ (`bundles.delta`, a
/// `BundleDelta`) from a base stored once (`bundle_bases`, by vpxi, host and a random id
/// in `bundles.base`), not the 52 KB body. The delta is always against the base, never
/// against the previous epoch: no chain of deltas.
///
/// - A new base is written when this registrar holds none in memory for the host and vpxi
///   (`BundleBaseCache`: after a start, past its capacity), when the database no longer
///   holds the one in memory, when the length differs, or when the delta would take more
///   than a quarter of the body; the row then references it with an empty delta. The
///   bases no row references any more (the one just replaced) are deleted in the same
///   transaction, so the table holds about one base per bundle.
/// - The base is written in the transaction of the row that references it: it is
///   committed no later than the row (a SIGKILL leaves both or neither).
/// - A pull reads the row with its base (one statement) and applies the delta: any
///   registrar serves any bundle from the database alone. The bytes built are those
///   issued, byte for byte; they are kept by ETag (`bundleBodies`).
/// - Rows written before keep their whole body (`data`, or base64 `body` before migration
///   4) and are served from it; a whole `data` wins over a base.
extension RegistrarService {
    /// A host's bundle of a vpxi, to be stored.
    struct BundleWrite: Sendable {
        var host: String
        var vpxi: String
        var epoch: Int64
        var bytes: [UInt8]
        var etag: String
    }

    /// A delta is kept when its stored form takes at most this fraction of the body.
    static var deltaFraction: Int { 4 }

    /// Stores (or replaces) `bundles`, each as a base plus a delta, in `tx`: one statement
    /// for the bases held, one for the new bases, one for the rows, one for the bases
    /// replaced.
    func storeBundles(_ bundles: [BundleWrite], in tx: any DBTransaction, now: Int64) async throws {
        guard !bundles.isEmpty else { return }
        var deltas: [Int: (base: Int64, delta: [UInt8])] = [:]
        for (index, bundle) in bundles.enumerated() {
            guard let base = bundleBases.base(host: bundle.host, vpxi: bundle.vpxi),
                  let delta = BundleDelta.compute(from: base.bytes, to: bundle.bytes, limit: bundle.bytes.count / Self.deltaFraction) else { continue }
            deltas[index] = (base.id, delta.encoded)
        }
        let held = try await heldBases(Set(deltas.keys.map { bundles[$0].vpxi }), in: tx)
        var bases: [[DBValue]] = []
        var rows: [[DBValue]] = []
        var written: [(host: String, vpxi: String, base: BundleBaseCache.Base)] = []
        rows.reserveCapacity(bundles.count)
        for (index, bundle) in bundles.enumerated() {
            let base: Int64, delta: [UInt8]
            if let known = deltas[index], held.contains(BaseKey(vpxi: bundle.vpxi, host: bundle.host, base: known.base)) {
                (base, delta) = known
            } else {
                base = Int64.random(in: 1...Int64.max)
                delta = try BundleDelta(length: bundle.bytes.count, ranges: []).encoded
                bases.append([.text(bundle.vpxi), .text(bundle.host), .int(base), .bytes(bundle.bytes)])
                written.append((bundle.host, bundle.vpxi, BundleBaseCache.Base(id: base, bytes: bundle.bytes)))
            }
            rows.append([.text(bundle.host), .text(bundle.vpxi), .int(bundle.epoch), .text(""), .null, .int(base), .bytes(delta),
                         .text(bundle.etag), .int(now)])
        }
        try await tx.insert(into: "bundle_bases", columns: ["vpxi", "host", "base", "data"], rows: bases)
        try await tx.insert(into: "bundles", columns: ["host", "vpxi", "epoch", "body", "data", "base", "delta", "etag", "updated_at"],
                            rows: rows, conflict: """
            ON CONFLICT (host, vpxi) DO UPDATE SET epoch = excluded.epoch, body = excluded.body, data = excluded.data, base = excluded.base,
              delta = excluded.delta, etag = excluded.etag, updated_at = excluded.updated_at
            """)
        if !written.isEmpty {
            // The bases replaced: no row references them any more.
            let vpxis = Set(written.map(\.vpxi)).sorted(), hosts = Set(written.map(\.host)).sorted()
            try await tx.query("""
                DELETE FROM bundle_bases WHERE vpxi IN (\(Self.placeholders(vpxis.count))) AND host IN (\(Self.placeholders(hosts.count, from: vpxis.count + 1)))
                AND NOT EXISTS (SELECT 1 FROM bundles b WHERE b.host = bundle_bases.host AND b.vpxi = bundle_bases.vpxi AND b.base = bundle_bases.base)
                """, vpxis.map(DBValue.text) + hosts.map(DBValue.text))
            for item in written { bundleBases.remember(host: item.host, vpxi: item.vpxi, item.base) }
        }
    }

    struct BaseKey: Hashable {
        var vpxi: String
        var host: String
        var base: Int64
    }

    /// The bases the database holds for `vpxis` (their ids only), locked against deletion
    /// until the transaction ends on PostgreSQL (a release by another registrar waits).
    func heldBases(_ vpxis: Set<String>, in tx: any DBTransaction) async throws -> Set<BaseKey> {
        guard !vpxis.isEmpty else { return [] }
        let lock = tx.dialect == .postgres ? " FOR KEY SHARE" : ""
        var held: Set<BaseKey> = []
        for row in try await tx.query("SELECT vpxi, host, base FROM bundle_bases WHERE vpxi IN (\(Self.placeholders(vpxis.count)))" + lock,
                                      vpxis.sorted().map(DBValue.text)) {
            held.insert(BaseKey(vpxi: try row.text("vpxi"), host: try row.text("host"), base: try row.int("base")))
        }
        return held
    }

    /// The query that reads a stored bundle with its base.
    static let bundleQuery = """
        SELECT b.etag, b.body, b.data, b.delta, k.data AS base_data FROM bundles b
        LEFT JOIN bundle_bases k ON k.vpxi = b.vpxi AND k.host = b.host AND k.base = b.base
        WHERE b.host = $1 AND b.vpxi = $2
        """

    /// A stored bundle's bytes: its `data` column; else its base with its delta applied
    /// (migration 6; `base_data` joined in); or, in a row written before migration 4, its
    /// `body` in base64.
    static func bundleBytes(_ row: DBRow) throws(RegistrarError) -> [UInt8] {
        if let data = row["data"].bytes { return data }
        if let stored = row["delta"].bytes {
            guard let base = row["base_data"].bytes else {
                throw RegistrarError(.internal, "the base of a stored bundle is missing from the database")
            }
            do throws(BundleDelta.Failure) {
                return try BundleDelta(decoding: stored).apply(to: base)
            } catch {
                throw RegistrarError(.internal, "a stored bundle's delta cannot be applied to its base: \(error)")
            }
        }
        guard let text = row["body"].text, let bytes = Base64.decode(text) else {
            throw RegistrarError(.internal, "a stored bundle has no bytes and its text is not base64")
        }
        return bytes
    }
}
