import SExpr

/// What agents and users pull, with an ETag: an unchanged document costs one round trip,
/// answered from memory (`ETagCache`) or else with one indexed read.
extension RegistrarService {
    /// A pulled document: its bytes (nil when the caller's ETag still matches) and ETag.
    public struct Pulled: Sendable {
        public var body: [UInt8]?
        public var etag: String
    }

    /// A user's chains in a vpxi (the document built from the certs recorded,
    /// `RegistrarService+ChainDocuments`).
    public func chains(vpxi: String, user: String, ifNoneMatch: String?) async throws(RegistrarError) -> Pulled {
        let missing = "no chains for user `\(user)` in vpxi `\(vpxi)`"
        if let ifNoneMatch, let etag = try await unchanged(table: "chains", keys: ("vpxi", vpxi, "principal", user), vpxi: vpxi,
                                                           ifNoneMatch: ifNoneMatch, missing: missing) {
            return Pulled(body: nil, etag: etag)
        }
        return try await pullChainDocument(vpxi: vpxi, user: user)
    }

    /// A host's bundle for one vpxi.
    public func bundle(host: String, vpxi: String, ifNoneMatch: String?) async throws(RegistrarError) -> Pulled {
        let keys = ("host", host, "vpxi", vpxi)
        let missing = "no bundle of vpxi `\(vpxi)` for host `\(host)`"
        if let ifNoneMatch, let etag = try await unchanged(table: "bundles", keys: keys, vpxi: vpxi, ifNoneMatch: ifNoneMatch, missing: missing) {
            return Pulled(body: nil, etag: etag)
        }
        let document = Self.etagKey("bundles", keys)
        // The body of the current ETag, built before (from its base and delta) and kept.
        if let etag = etags.etag(vpxi: vpxi, document), let body = bundleBodies.document(etag: etag) {
            metrics.pulled(notModified: false)
            return Pulled(body: body, etag: etag)
        }
        let ticket = etags.ticket()
        let rows = try await storage { try await database.read(Self.bundleQuery, [.text(host), .text(vpxi)]) }
        guard let row = rows.first, let etag = row["etag"].text else { throw RegistrarError(.notFound, missing) }
        let body = try Self.bundleBytes(row)
        etags.remember(vpxi: vpxi, document, etag: etag, ticket: ticket)
        bundleBodies.remember(etag: etag, document: body)
        metrics.pulled(notModified: false)
        return Pulled(body: body, etag: etag)
    }

    /// What `ETagCache` knows a pulled document by: its table and the two keys of its row.
    static func etagKey(_ table: String, _ keys: (String, String, String, String)) -> String {
        "\(table)\u{0}\(keys.1)\u{0}\(keys.3)"
    }

    /// The ETag check: the document's current ETag when `ifNoneMatch` matches it (from
    /// memory, `ETagCache`, else one indexed read), nil when it does not.
    func unchanged(table: String, keys: (String, String, String, String), vpxi: String, ifNoneMatch: String,
                   missing: String) async throws(RegistrarError) -> String? {
        let document = Self.etagKey(table, keys)
        let etag: String
        switch etags.lookup(vpxi: vpxi, document) {
        case .hit(let cached):
            metrics.pullCache(hit: true)
            etag = cached
        case .read(let ticket):
            metrics.pullCache(hit: false)
            let rows = try await storage {
                try await database.read("SELECT etag FROM \(table) WHERE \(keys.0) = $1 AND \(keys.2) = $2", [.text(keys.1), .text(keys.3)])
            }
            guard let stored = rows.first?["etag"].text else { throw RegistrarError(.notFound, missing) }
            etags.remember(vpxi: vpxi, document, etag: stored, ticket: ticket)
            etag = stored
        }
        guard Self.matches(ifNoneMatch, etag) else { return nil }
        metrics.pulled(notModified: true)
        return etag
    }

    /// `If-None-Match`: a list of ETags, or `*`.
    static func matches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { part in
            let tag = part.trimmingCharacters(in: " ")
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }

    /// A host's bundles: `(bundles (host H) (bundle (vpxi V) (epoch K) (etag E))...)`,
    /// every active vpxi that runs machines on the host, whichever registrar built it.
    public func bundleIndex(host: String) async throws(RegistrarError) -> SExpr {
        let rows = try await storage {
            try await database.read("SELECT vpxi, epoch, etag FROM bundles WHERE host = $1 ORDER BY vpxi", [.text(host)])
        }
        return .list(["bundles", ["host", .string(host)]] + rows.map {
            ["bundle", ["vpxi", .string($0["vpxi"].text ?? "")], ["epoch", .string($0["epoch"].text ?? "")], ["etag", .string($0["etag"].text ?? "")]]
        })
    }

    /// The index of a host's bundles with its ETag (the digest of the index, so it changes
    /// whenever one of the bundles, or the set of vpxis, does): an agent that follows every
    /// vpxi of its host learns that nothing changed in one round trip and one indexed read.
    public func bundleIndex(host: String, ifNoneMatch: String?) async throws(RegistrarError) -> Pulled {
        let bytes = Array((try await bundleIndex(host: host).advanced() + "\n").utf8)
        let etag = Self.etag(bytes)
        metrics.pulled(notModified: ifNoneMatch.map { Self.matches($0, etag) } ?? false)
        if let ifNoneMatch, Self.matches(ifNoneMatch, etag) { return Pulled(body: nil, etag: etag) }
        return Pulled(body: bytes, etag: etag)
    }

    /// A vpxi's state: `(vpxi (name V) (owner U) (registrar R) (status S) (epoch K) (placement ...))`.
    public func status(vpxi: String) async throws(RegistrarError) -> SExpr {
        let (rows, slots) = try await storage {
            (try await database.read("SELECT owner, registrar, status, epoch FROM vpxis WHERE name = $1", [.text(vpxi)]),
             try await database.read("SELECT machine, host, idx FROM slots WHERE vpxi = $1 ORDER BY machine", [.text(vpxi)]))
        }
        guard let row = rows.first else { throw RegistrarError(.notFound, "no vpxi `\(vpxi)`") }
        return ["vpxi", ["name", .string(vpxi)], ["owner", .string(row["owner"].text ?? "")], ["registrar", .string(row["registrar"].text ?? "")],
                ["status", .string(row["status"].text ?? "")], ["epoch", .string(row["epoch"].text ?? "")],
                .list(["placement"] + slots.map { ["machine", .string($0["machine"].text ?? ""), ["host", .string($0["host"].text ?? "")],
                                                   ["slot", .string($0["idx"].text ?? "")]] })]
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
