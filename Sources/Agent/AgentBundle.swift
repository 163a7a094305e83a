import Backends
import Foundation
import Hashing
import RSA
import SPKI

/// A host's bundle (Docs/nodes.md), verified completely before any of it is used: the
/// registrar's signature of the manifest, every file's size and SHA-256 with nothing
/// missing or extra, the manifest naming this host's key; then the ESP schedule with every
/// key unwrapped by the host key, and the logins with their chains.
public struct AgentBundle: Sendable {
    public let host: String
    public let registrar: String
    public let generatedAt: Date
    public let fileCount: Int
    /// The SHA-256 of `manifest.sexp` and `manifest.sig`: what identifies this bundle.
    public let digest: [UInt8]
    public let associations: [SecurityAssociation]
    public let logins: BundleLogins

    /// Reads and verifies the bundle in `directory`. Every failure refuses all of it:
    /// `bundleRefused` (not whole, not authentic, not for this host, not enforceable),
    /// `unwrapFailed`, `invalidAssociation`, `duplicateSPI`, or `system` when it cannot be read.
    public static func load(directory: String, hostKey: RSAPrivateKey, registrar: RSAKeyFile) throws(AgentError) -> AgentBundle {
        let files: [String: [UInt8]]
        do {
            files = try BundleReader.read(directory: directory)
        } catch {
            throw AgentError(error.isVerificationFailure || error.code == .unsafePath ? .bundleRefused : .system,
                             "cannot read the bundle in \(directory): \(error.message) [\(error.code.rawValue)]")
        }
        return try verify(files: files, hostKey: hostKey, registrar: registrar)
    }

    /// Reads and verifies a bundle archive (`BundleArchive`: what the registrar serves at
    /// `/v1/hosts/HOST/bundles/VPXI`) as the folder it holds, without unpacking it.
    public static func load(archive path: String, hostKey: RSAPrivateKey, registrar: RSAKeyFile) throws(AgentError) -> AgentBundle {
        let bytes = try AgentSource.read(path)
        let bundle: HostBundle
        do {
            bundle = try BundleArchive.decode(bytes)
        } catch {
            throw AgentError(.bundleRefused, "\(path) is not a bundle archive: \(error.message) [\(error.code.rawValue)]")
        }
        var files: [String: [UInt8]] = [:]
        for file in bundle.files { files[file.path] = file.bytes }
        let verified = try verify(files: files, hostKey: hostKey, registrar: registrar)
        guard verified.host == bundle.host else {
            throw AgentError(.bundleRefused, "\(path): the archive says host `\(bundle.host)` but its manifest is for `\(verified.host)`")
        }
        return verified
    }

    /// Verifies a bundle given as its files by relative path.
    public static func verify(files: [String: [UInt8]], hostKey: RSAPrivateKey, registrar: RSAKeyFile) throws(AgentError) -> AgentBundle {
        let manifest: BundleManifest
        do {
            manifest = try BundleVerifier.verify(files: files, registrar: registrar, hostKey: hostKey.publicKey)
        } catch {
            let help = error.help.map { " (\($0))" } ?? ""
            throw AgentError(.bundleRefused, "\(error.message)\(help) [\(error.code.rawValue)]")
        }
        func file(_ path: String) throws(AgentError) -> [UInt8] {
            guard manifest.entries.contains(where: { $0.path == path }), let bytes = files[path] else {
                throw AgentError(.bundleRefused, "the bundle has no `\(path)`")
            }
            return bytes
        }
        let associations = try ESPScheduleReader.read(try file("esp.sexp"), host: manifest.host, hostKey: hostKey)
        try AssociationTable.validate(associations)
        let vms = try LocalVMs.read(try file("peers.sexp"))
        for sa in associations where !vms.hits.contains(sa.localHIT) {
            throw AgentError(.bundleRefused, "`esp.sexp`: SPI \(ESPCodec.hex(sa.spiIn)) is for HIT \(sa.localHIT), which is none of the host's VMs")
        }
        let logins = try BundleLogins.read(authorized: try file("authorized.sexp"), vms: vms, host: manifest.host)
        return AgentBundle(host: manifest.host, registrar: manifest.registrar,
                           generatedAt: Date(timeIntervalSince1970: TimeInterval(manifest.generatedAt.secondsSinceEpoch)),
                           fileCount: files.count, digest: digest(files), associations: associations, logins: logins)
    }

    /// The digest of a bundle's manifest and signature (nil parts count as empty).
    public static func digest(_ files: [String: [UInt8]]) -> [UInt8] {
        let manifest = files[BundleManifest.fileName] ?? []
        let signature = files[BundleManifest.signatureFileName] ?? []
        return HashAlgorithm.sha256.digest(HashAlgorithm.sha256.digest(manifest) + HashAlgorithm.sha256.digest(signature))
    }

    /// The logins enforced at `time`, or the first refused one as an error.
    public func enforcedLogins(at time: Date) throws(AgentError) -> [AuthorizedLogin] {
        var enforced: [AuthorizedLogin] = []
        for (_, decision) in logins(at: time) {
            switch decision {
            case .enforced(let login): enforced.append(login)
            case .refused(let reason): throw AgentError(.chainRefused, reason)
            case .pending, .inactive: break
            }
        }
        return enforced
    }

    public func logins(at time: Date) -> [(entry: BundleLogins.Entry, decision: BundleLogins.Decision)] {
        logins.evaluate(at: time)
    }

    /// The next time a pending login starts after `time`, if any.
    public func nextLoginStart(after time: Date) -> Date? {
        logins.entries.compactMap(\.notBefore).filter { $0 > time }.min()
    }
}
