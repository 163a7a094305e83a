import Hashing
import SExpr
import ToolSupport

/// Where an output's files live, so that publishing a new output is one atomic step and
/// a re-run costs what changed.
///
/// `DIR` (what `-o DIR` names, and what users read) is a symbolic link to a generation
/// directory in `.DIR.spkic/` beside it. A generation holds the manifest, the pending
/// requests and links into a pool of immutable, content-addressed files shared between
/// generations:
///
/// ```
/// DIR -> .DIR.spkic/gen-Xk2p9q
/// .DIR.spkic/gen-Xk2p9q/manifest
///                       pending/<sha256>.tbs
///                       certs/<vpxi> -> ../../pool/certs/<hash of the vpxi's signed certs>
///                       chains/<user> -> ../../pool/users/<hash of the user's links>
///                       acl/<vpxi> -> ../../pool/acl/<hash of the vpxi's ACLs>
/// .DIR.spkic/pool/certs/<hash>
///                 chains/<hash>/<user>
///                 users/<hash>/<vpxi> -> ../../chains/<hash of the vpxi's chains>/<user>
///                 acl/<hash>
/// ```
///
/// Every pool entry but the users' link directories belongs to one vpxi, so that a vpxi
/// unchanged since the previous output is carried over by linking to the same entries
/// (the manifest's `vpxi` record names them). Until manifest version 3, `chains/<user>` was a link to a directory of
/// the user's chains of every vpxi, and `acl/<vpxi>` to a directory of a file per machine.
///
/// A new generation is built beside the current one, synced to disk, then `DIR` is
/// switched to it by renaming a new link over it (atomic); what no longer belongs to it
/// is removed afterwards. Pool directories are written under a temporary name and renamed
/// when complete, and never change after that. (Outputs of manifest version 1 had a
/// `certs -> ../pool/certs` link and a file per cert, `<sha256>.cert`.)
struct GenerationStore {
    let output: String
    let store: String

    init(output: String) {
        var trimmed = output
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.output = trimmed
        store = AtomicFileName.directory(of: trimmed) + "/." + AtomicFileName.basename(of: trimmed) + ".spkic"
    }

    var pool: String { store + "/pool" }
    func poolCerts() -> String { pool + "/certs" }
    func poolCerts(_ hash: String) -> String { pool + "/certs/" + hash }
    func poolChains(_ hash: String) -> String { pool + "/chains/" + hash }
    func poolACLs(_ hash: String) -> String { pool + "/acl/" + hash }
    func poolUsers(_ hash: String) -> String { pool + "/users/" + hash }

    /// The generation `DIR` points to now, if it is one of ours.
    var current: String? {
        guard let target = FileSystem.readLink(output), target.hasPrefix("." + AtomicFileName.basename(of: output) + ".spkic/gen-") else { return nil }
        return AtomicFileName.directory(of: output) + "/" + target
    }

    /// The pool directory a user's chains (or a vpxi's ACLs) came from in the current
    /// generation: the name its link points to.
    func currentPoolName(_ link: String) -> String? {
        guard let current, let target = FileSystem.readLink(current + "/" + link) else { return nil }
        return AtomicFileName.basename(of: target)
    }

    /// Creates the store, takes its lock and makes a new, empty generation.
    func begin() throws(CompileFailure) -> (generation: String, lock: Int32) {
        do {
            try FileSystem.makeDirectories(poolCerts())
            try FileSystem.makeDirectories(pool + "/chains")
            try FileSystem.makeDirectories(pool + "/acl")
            try FileSystem.makeDirectories(pool + "/users")
            guard let lock = try FileSystem.lock(store + "/lock") else {
                throw CompileFailure("another spkic is writing `\(output)`; wait for it to finish")
            }
            let generation = try FileSystem.temporaryDirectory(in: store, prefix: "gen-")
            for directory in ["certs", "chains", "acl", "pending"] { try FileSystem.makeDirectories(generation + "/" + directory) }
            return (generation, lock)
        } catch let failure as CompileFailure {
            throw failure
        } catch {
            throw CompileFailure("cannot create the output `\(output)`: \(error)")
        }
    }

    /// Points `DIR` at `generation`, atomically. A `DIR` that is a plain directory (an
    /// output of an earlier spkic) is moved into the store first.
    func publish(_ generation: String) throws(FileError) {
        let relative = "." + AtomicFileName.basename(of: output) + ".spkic/" + AtomicFileName.basename(of: generation)
        if FileSystem.isDirectory(output), !FileSystem.isSymbolicLink(output) {
            try FileSystem.move(output, try FileSystem.temporaryDirectory(in: store, prefix: "legacy-") + "/output")
        }
        let link = generation + ".link"
        try FileSystem.symlink(relative, at: link)
        try FileSystem.move(link, output)
    }

    /// Removes what the published generation does not use: other generations, pool
    /// entries it does not link to, leftovers of interrupted runs (and the per-cert files
    /// of a version 1 output).
    func collect(keeping generation: String, pool kept: GenerationLinks.PoolNames) {
        let name = AtomicFileName.basename(of: generation)
        for entry in FileSystem.list(store) where entry != name && entry != "pool" && entry != "lock" {
            FileSystem.removeTreeInParallel(store + "/" + entry)
        }
        for (directory, keep) in [(pool + "/chains", kept.chains), (pool + "/users", kept.users), (pool + "/acl", kept.acls)] {
            for entry in FileSystem.list(directory) where !keep.contains(entry) {
                FileSystem.removeTreeInParallel(directory + "/" + entry)
            }
        }
        let stale = FileSystem.list(poolCerts()).filter { !kept.certs.contains($0) }
        let directory = poolCerts()
        _ = Parallel.map(stale.count, chunk: 512) { range in
            for index in range { FileSystem.removeTree(directory + "/" + stale[index]) }
            return 0
        }
    }

    /// The name of a pool directory for content described by `lines`: a hash of them.
    static func contentName(_ lines: [String]) -> String {
        var bytes: [UInt8] = []
        for line in lines { bytes += Array(line.utf8) + [0x0A] }
        return Hex.encode(Array(HashAlgorithm.sha256.digest(bytes).prefix(16)))
    }
}
