import Backends
import Foundation
import Hashing
import Logging
import RSA
import ToolSupport

/// The bundles of every vpxi a host runs VMs of, one folder per vpxi:
/// `DIRECTORY/VPXI/HOST` (what `RegistrarPull` writes when it follows every vpxi of its
/// host). Each vpxi's bundle is verified and applied on its own: a bundle that does not
/// verify, that goes back in time, or whose SAs clash with another vpxi's keeps that vpxi's
/// last good state and leaves the others alone. A folder that disappears (a released vpxi)
/// takes its SAs and logins with it.
///
/// The agent sees the union of every vpxi's last good state, as one source
/// (`AgentSource.bundleSet`). Folders whose name starts with `.` are ignored (a removal in
/// progress).
public final class BundleSet: Sendable {
    public let directory: String
    public let host: String
    public let registrar: RSAKeyFile
    /// Where the `generated` time of each vpxi's last applied bundle is kept across
    /// restarts (`VPXI SECONDS` per line): no rollback after a restart either.
    public let recordPath: String?
    let logger: Logger

    struct Member {
        /// The digest of the bundle's manifest and signature.
        var digest: [UInt8]
        var bundle: AgentBundle
        var logins: [AuthorizedLogin]
    }

    struct State {
        var good: [String: Member] = [:]
        /// The generated time of the last bundle applied, by vpxi.
        var generated: [String: Date] = [:]
        /// The refused digest of each vpxi (its refusal is logged once).
        var refused: [String: [UInt8]] = [:]
    }

    private let state: Locked<State>

    public init(directory: String, host: String, registrar: RSAKeyFile, recordPath: String? = nil, logger: Logger) {
        self.directory = directory
        self.host = host
        self.registrar = registrar
        self.recordPath = recordPath
        self.logger = logger
        var initial = State()
        if let recordPath, let bytes = try? InputReader.read(recordPath), let text = String(validating: bytes, as: UTF8.self) {
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ")
                if parts.count == 2, let seconds = TimeInterval(parts[1]) { initial.generated[String(parts[0])] = Date(timeIntervalSince1970: seconds) }
            }
        }
        state = Locked(initial)
    }

    /// The vpxis present, sorted: each subfolder with a safe name.
    public func members() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { !$0.hasPrefix(".") && AuthorizedLogin.isSafeVMName($0) }.sorted()
    }

    func bundleDirectory(_ vpxi: String) -> String { "\(directory)/\(vpxi)/\(host)" }

    /// The digest of one vpxi's bundle as it stands (empty parts when unreadable).
    func memberDigest(_ vpxi: String) -> [UInt8] {
        var files: [String: [UInt8]] = [:]
        for name in [BundleManifest.fileName, BundleManifest.signatureFileName] {
            files[name] = try? InputReader.read("\(bundleDirectory(vpxi))/\(name)")
        }
        return AgentBundle.digest(files)
    }

    /// What identifies the whole set: every vpxi's name and bundle digest.
    public func probe() -> [UInt8] {
        var bytes: [UInt8] = []
        for vpxi in members() {
            bytes += Array("\(vpxi)\n".utf8) + memberDigest(vpxi)
        }
        return HashAlgorithm.sha256.digest(bytes)
    }

    /// Verifies every vpxi whose bundle changed, keeps the last good state of those that
    /// are refused, drops those that disappeared; returns the union.
    func load(hostKey: RSAPrivateKey, now: Date) -> AgentSource.Desired {
        let digest = probe()
        let present = members()
        var current = state.withLock { $0 }
        for vpxi in current.good.keys where !present.contains(vpxi) {
            current.good[vpxi] = nil
            current.generated[vpxi] = nil
            logger.notice("vpxi gone from the host's bundles: its SAs and logins are removed", metadata: ["vpxi": "\(vpxi)"])
        }
        current.refused = current.refused.filter { present.contains($0.key) }
        for vpxi in present {
            let memberDigest = memberDigest(vpxi)
            if current.good[vpxi]?.digest == memberDigest { continue }
            do throws(AgentError) {
                let others = current.good.filter { $0.key != vpxi }.values
                let member = try verify(vpxi, digest: memberDigest, hostKey: hostKey, now: now, generated: current.generated[vpxi],
                                        others: Array(others))
                current.good[vpxi] = member
                current.generated[vpxi] = member.bundle.generatedAt
                current.refused[vpxi] = nil
                logger.info("bundle of vpxi applied", metadata: ["vpxi": "\(vpxi)", "sas": "\(member.bundle.associations.count)",
                                                                 "logins": "\(member.logins.count)"])
            } catch {
                if current.refused[vpxi] != memberDigest {
                    logger.error("bundle of vpxi refused, keeping its last good one",
                                 metadata: ["vpxi": "\(vpxi)", "code": "\(error.code.rawValue)", "reason": "\(error.message)"])
                }
                current.refused[vpxi] = memberDigest
            }
        }
        let recorded = state.withLock { state in
            defer { state = current }
            return state.generated
        }
        if recorded != current.generated { record(current.generated) }
        return Self.union(current.good, host: host, digest: digest)
    }

    /// One vpxi's bundle, verified against the registrar's and the host's keys, not older
    /// than the last one applied, with logins that hold now and SAs that clash with no
    /// other vpxi's.
    func verify(_ vpxi: String, digest: [UInt8], hostKey: RSAPrivateKey, now: Date, generated: Date?,
                others: [Member]) throws(AgentError) -> Member {
        let bundle = try AgentBundle.load(directory: bundleDirectory(vpxi), hostKey: hostKey, registrar: registrar)
        if let generated, bundle.generatedAt < generated {
            throw AgentError(.bundleRefused, "the bundle was generated at \(CheckReport.format(bundle.generatedAt)), before the one running (\(CheckReport.format(generated)))")
        }
        if let stray = bundle.logins.entries.first(where: { $0.vpxi != vpxi }) {
            throw AgentError(.bundleRefused, "the bundle in folder `\(vpxi)` holds a login to VM `\(stray.vm)` of vpxi `\(stray.vpxi)`")
        }
        let logins = try bundle.enforcedLogins(at: now)
        for login in logins { try login.validate() }
        try AssociationTable.validate(others.flatMap(\.bundle.associations) + bundle.associations)
        return Member(digest: digest, bundle: bundle, logins: logins)
    }

    /// Every vpxi's state as one: their SAs, their logins, and one bundle whose logins are
    /// all of theirs (the runtime decides them again as time passes).
    static func union(_ members: [String: Member], host: String, digest: [UInt8]) -> AgentSource.Desired {
        let ordered = members.sorted { $0.key < $1.key }.map(\.value)
        let bundle = AgentBundle(host: host, registrar: ordered.first?.bundle.registrar ?? "",
                                 generatedAt: ordered.map(\.bundle.generatedAt).max() ?? Date(timeIntervalSince1970: 0),
                                 fileCount: ordered.reduce(0) { $0 + $1.bundle.fileCount }, digest: digest,
                                 associations: ordered.flatMap(\.bundle.associations),
                                 logins: BundleLogins(entries: ordered.flatMap(\.bundle.logins.entries)))
        return AgentSource.Desired(digest: digest, associations: bundle.associations, logins: ordered.flatMap(\.logins), bundle: bundle)
    }

    func record(_ generated: [String: Date]) {
        guard let recordPath else { return }
        let text = generated.sorted { $0.key < $1.key }.map { "\($0.key) \(Int64($0.value.timeIntervalSince1970))\n" }.joined()
        do {
            try AtomicFile.write(text, to: recordPath, mode: 0o644)
        } catch {
            logger.warning("cannot record the bundles' times", metadata: ["path": "\(recordPath)", "reason": "\(error)"])
        }
    }

    /// The vpxis whose state is applied, sorted.
    public var applied: [String] { state.withLock { $0.good.keys.sorted() } }
}
