import ToolSupport

/// The manifest's records as the writer gathers them, vpxi by vpxi in each kind, and what
/// each vpxi has (`Manifest.VPXIPart`, recorded in its `vpxi` record).
struct ManifestRecords {
    var certs: [ArraySlice<UInt8>] = []
    var chains: [ArraySlice<UInt8>] = []
    var acls: [ArraySlice<UInt8>] = []
    var parts: [Manifest.VPXIPart]

    init(vpxis: Int) {
        parts = Array(repeating: Manifest.VPXIPart(), count: vpxis)
    }
}

/// The links of a new generation into the pool, and the pool entries they keep:
/// `certs/<vpxi>` to the vpxi's certs file, `acl/<vpxi>` to its ACLs file, and
/// `chains/<user>` to a pool directory of the user's links, `<vpxi>` to the user's file in
/// each vpxi's chains directory. (A directory per user in each generation would cost a
/// `mkdir` and an `rmdir` per user and run: on this project's ext4, an `rmdir` of a
/// directory with an entry blocks for milliseconds.)
struct GenerationLinks {
    /// (target, path relative to the generation).
    var links: [(String, String)] = []
    /// Each user's chains: (vpxi, chains pool directory).
    var userChains: [String: [(vpxi: String, pool: String)]] = [:]
    var kept = PoolNames()

    /// The pool entries a generation uses, by kind.
    struct PoolNames {
        var chains = Set<String>(), users = Set<String>(), acls = Set<String>(), certs = Set<String>()
    }

    mutating func chain(user: String, vpxi: String, pool: String) {
        userChains[user, default: []].append((vpxi, pool))
        kept.chains.insert(pool)
    }

    /// The vpxi's certs file and ACLs file.
    mutating func vpxi(_ name: String, part: Manifest.VPXIPart) {
        if let pool = part.certPool {
            links.append(("../../pool/certs/" + pool, OutputLayout.certs(vpxi: name)))
            kept.certs.insert(pool)
        }
        if let pool = part.aclPool {
            links.append(("../../pool/acl/" + pool, "acl/" + name))
            kept.acls.insert(pool)
        }
    }

    /// Makes the links, and the users' link directories the pool does not have yet.
    mutating func make(in generation: String, store: GenerationStore) throws(FileError) {
        for (user, entries) in userChains.sorted(by: { $0.key < $1.key }) {
            let sorted = entries.sorted { $0.vpxi < $1.vpxi }
            let name = GenerationStore.contentName(["user-links 3", user] + sorted.map { "\($0.vpxi) \($0.pool)" })
            if !FileSystem.exists(store.poolUsers(name)) {
                let temporary = try FileSystem.temporaryDirectory(in: store.pool + "/users", prefix: name + ".tmp-")
                for entry in sorted { try FileSystem.symlink("../../chains/" + entry.pool + "/" + user, at: temporary + "/" + entry.vpxi) }
                try FileSystem.move(temporary, store.poolUsers(name))
            }
            kept.users.insert(name)
            links.append(("../../pool/users/" + name, OutputLayout.chainsLink(user: user)))
        }
        for (target, path) in links { try FileSystem.symlink(target, at: generation + "/" + path) }
    }
}

extension OutputWriter {
    /// A vpxi carried over from the previous output (its fingerprint is unchanged): its
    /// manifest records are copied as they are and the new generation links to the same
    /// pool entries; nothing of it is planned, signed or rendered.
    func carryOver(_ v: Int, store: GenerationStore, records: inout ManifestRecords, links: inout GenerationLinks,
                   stats: inout Statistics) throws(FileError) {
        let name = model.vpxis[v].name
        guard let previous, let record = previous.vpxiRecords[name] else {
            throw FileError(code: .cannotRead, path: OutputLayout.manifest, reason: "the previous manifest has no record of vpxi `\(name)` to carry over")
        }
        let part = record.part
        records.certs += record.certLines.map { previous.lines[$0] }
        records.chains += record.chainLines.map { previous.lines[$0] }
        records.acls += record.aclLines.map { previous.lines[$0] }
        records.parts[v] = part
        links.vpxi(name, part: part)
        if let pool = part.chainPool {
            let users = FileSystem.list(store.poolChains(pool))
            for user in users { links.chain(user: user, vpxi: name, pool: pool) }
            stats.filesReused += users.count
        }
        stats.filesReused += (part.certPool == nil ? 0 : 1) + (part.aclPool == nil ? 0 : 1)
        stats.chainsComplete += part.completeChains
        stats.chainsPending += part.chains - part.completeChains
    }
}
