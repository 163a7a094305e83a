#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SExpr
import ToolSupport

/// Following every vpxi of the host (`vpxi-agent run --registrar URL --host H`, no
/// `--vpxi`): the host's bundle index, `(bundles (host H) (bundle (vpxi V) (epoch K)
/// (etag E))...)`, pulled with `If-None-Match` so that an unchanged state costs one round
/// trip; then each bundle whose ETag changed, into `STATE/pulled/vpxis/VPXI/HOST`, and the
/// folders of vpxis no longer listed (released) removed. The folders are read as one
/// `BundleSet`.
extension RegistrarPull {
    /// Where every vpxi's bundle goes: `STATE/pulled/vpxis/VPXI/HOST`.
    public var setDirectory: String { "\(stateDirectory)/pulled/vpxis" }
    var etagDirectory: String { "\(stateDirectory)/pulled/etags" }
    var indexETagPath: String { "\(stateDirectory)/pulled/\(host).index.etag" }

    /// What one pull of every vpxi did.
    public struct AllOutcome: Sendable, Equatable {
        /// The index was unchanged (304): nothing else was asked.
        public var unchanged = false
        /// The vpxis whose bundle was written.
        public var updated: [String] = []
        /// The vpxis no longer listed, whose folders were removed.
        public var removed: [String] = []
        /// The vpxis whose bundle could not be pulled, with why (their folder is kept).
        public var failed: [String: String] = [:]

        public init(unchanged: Bool = false, updated: [String] = [], removed: [String] = [], failed: [String: String] = [:]) {
            self.unchanged = unchanged
            self.updated = updated
            self.removed = removed
            self.failed = failed
        }
    }

    /// One pull of the index and of every bundle that changed.
    public func pullAll() throws(AgentError) -> AllOutcome {
        let url = base.appendingPathComponent("v1/hosts/\(host)/bundles")
        var request = URLRequest(url: url, timeoutInterval: timeout)
        if let known = Self.readETag(indexETagPath), FileManager.default.fileExists(atPath: setDirectory) {
            request.setValue(known, forHTTPHeaderField: "If-None-Match")
        }
        let (status, body, indexETag) = try Self.fetch(request)
        switch status {
        case 304:
            return AllOutcome(unchanged: true)
        case 200:
            break
        default:
            let text = String(decoding: body.prefix(500), as: UTF8.self)
            throw AgentError(.bundleRefused, "the registrar answered \(status) to GET \(url.absoluteString): \(text)")
        }
        let listed = try Self.index(body, host: host)
        do {
            try FileManager.default.createDirectory(atPath: setDirectory, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: etagDirectory, withIntermediateDirectories: true)
        } catch {
            throw AgentError(.system, "cannot create \(setDirectory): \(error.localizedDescription)")
        }
        var outcome = AllOutcome()
        for (vpxi, etag) in listed {
            let directory = "\(setDirectory)/\(vpxi)"
            let etagPath = "\(etagDirectory)/\(vpxi)"
            if Self.readETag(etagPath) == etag, FileManager.default.fileExists(atPath: "\(directory)/\(host)") { continue }
            do throws(AgentError) {
                switch try pull(vpxi: vpxi, into: directory, etagPath: etagPath) {
                case .updated:
                    outcome.updated.append(vpxi)
                case .unchanged:
                    // A registrar that remembers ETags for a moment may still answer 304 for a
                    // bundle the index already lists as changed: asked again at the next pull.
                    outcome.failed[vpxi] = "the index lists ETag \(etag), but the registrar still answers 304 for the bundle"
                }
            } catch {
                outcome.failed[vpxi] = error.message
            }
        }
        let names = Set(listed.map(\.vpxi))
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: setDirectory)) ?? []).sorted()
        where !name.hasPrefix(".") && !names.contains(name) {
            // Renamed first, in one step, so that the agent never reads half a removal.
            let doomed = "\(setDirectory)/.\(name).removed-\(UUID().uuidString.prefix(8))"
            guard rename("\(setDirectory)/\(name)", doomed) == 0 else {
                outcome.failed[name] = "cannot remove the folder of a released vpxi: \(String(cString: strerror(errno)))"
                continue
            }
            try? FileManager.default.removeItem(atPath: doomed)
            try? FileManager.default.removeItem(atPath: "\(etagDirectory)/\(name)")
            outcome.removed.append(name)
        }
        // The index's ETag only once every bundle it lists is here: a failed one is asked
        // for again at the next pull.
        if outcome.failed.isEmpty, let indexETag {
            do {
                try AtomicFile.write(indexETag, to: indexETagPath, mode: 0o644)
            } catch {
                throw AgentError(.system, "cannot write \(indexETagPath): \(error)")
            }
        } else {
            try? FileManager.default.removeItem(atPath: indexETagPath)
        }
        return outcome
    }

    /// Logs what a pull of every vpxi did (nothing when the index was unchanged).
    func logAll(_ outcome: AllOutcome, logger: Logger) {
        for vpxi in outcome.updated {
            logger.info("bundle pulled", metadata: ["registrar": "\(base.absoluteString)", "vpxi": "\(vpxi)"])
        }
        for vpxi in outcome.removed {
            logger.notice("vpxi no longer listed by the registrar: its bundle is removed", metadata: ["vpxi": "\(vpxi)"])
        }
        for (vpxi, reason) in outcome.failed.sorted(by: { $0.key < $1.key }) {
            logger.error("bundle pull failed, keeping the last one", metadata: ["vpxi": "\(vpxi)", "reason": "\(reason)"])
        }
    }

    /// The vpxis and ETags of an index.
    static func index(_ body: [UInt8], host: String) throws(AgentError) -> [(vpxi: String, etag: String)] {
        let refuse = { (why: String) in AgentError(.bundleRefused, "the registrar's bundle index \(why)") }
        guard let value = try? SExpr.parse(body), value.head == "bundles" else { throw refuse("is not a `(bundles (host H) ...)`") }
        guard value.first("host")?.tail.first?.text == host else { throw refuse("is for another host") }
        var listed: [(vpxi: String, etag: String)] = []
        for entry in value.tail where entry.head == "bundle" {
            guard let vpxi = entry.first("vpxi")?.tail.first?.text, AuthorizedLogin.isSafeVMName(vpxi),
                  let etag = entry.first("etag")?.tail.first?.text, !etag.isEmpty, !etag.contains("\n") else {
                throw refuse("lists a bundle without a valid `(vpxi V)` and `(etag E)`")
            }
            guard !listed.contains(where: { $0.vpxi == vpxi }) else { throw refuse("lists vpxi `\(vpxi)` twice") }
            listed.append((vpxi, etag))
        }
        return listed
    }
}
