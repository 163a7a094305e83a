import Backends
import Foundation
import Hashing
import RSA
import ToolSupport

/// Where the running agent's desired state comes from, and how it is read.
public enum AgentSource: Sendable {
    /// A host bundle folder (Docs/nodes.md), verified with the registrar's public key.
    case bundle(directory: String, registrar: RSAKeyFile)
    /// The agent's JSON input (`AgentInput`): kept for tests that need what a bundle never
    /// holds (32-bit sequence numbers for tshark, SAs without a policy behind them).
    case input(path: String)
    /// One bundle folder per vpxi, each verified and applied on its own (`BundleSet`).
    case bundleSet(BundleSet)

    public var path: String {
        switch self {
        case .bundle(let directory, _): return directory
        case .input(let path): return path
        case .bundleSet(let set): return set.directory
        }
    }

    /// Whether the runtime refuses a state generated before the one running. A set checks
    /// each vpxi's bundle itself (a released vpxi may take the latest time with it).
    var checksRollback: Bool {
        if case .bundleSet = self { return false }
        return true
    }

    /// `bundle` or `input`, for logs.
    public var kind: String {
        switch self {
        case .bundle: return "bundle"
        case .input: return "input"
        case .bundleSet: return "bundles"
        }
    }

    /// What a source asks the agent to enforce.
    struct Desired {
        var digest: [UInt8]
        var associations: [SecurityAssociation]
        var logins: [AuthorizedLogin]
        /// The verified bundle, whose logins are decided again as time passes.
        var bundle: AgentBundle?
    }

    /// The digest that identifies the current content, read cheaply: for a bundle, its
    /// manifest and signature (a writer replaces the folder in one step, so a new bundle
    /// always comes with a new manifest); for the JSON input, the whole file.
    func probe() throws(AgentError) -> [UInt8] {
        switch self {
        case .bundle(let directory, _):
            var files: [String: [UInt8]] = [:]
            for name in [BundleManifest.fileName, BundleManifest.signatureFileName] {
                files[name] = try Self.read("\(directory)/\(name)")
            }
            return AgentBundle.digest(files)
        case .input(let path):
            return HashAlgorithm.sha256.digest(try Self.read(path))
        case .bundleSet(let set):
            return set.probe()
        }
    }

    /// Reads, verifies and decides everything at `now`; any failure refuses all of it.
    func load(hostKey: RSAPrivateKey, now: Date) throws(AgentError) -> Desired {
        switch self {
        case .bundle(let directory, let registrar):
            let bundle = try AgentBundle.load(directory: directory, hostKey: hostKey, registrar: registrar)
            return Desired(digest: bundle.digest, associations: bundle.associations,
                           logins: try bundle.enforcedLogins(at: now), bundle: bundle)
        case .input(let path):
            let bytes = try Self.read(path)
            let (associations, logins) = try AgentInput.decode(bytes).resolve(hostKey: hostKey)
            try AssociationTable.validate(associations)
            return Desired(digest: HashAlgorithm.sha256.digest(bytes), associations: associations, logins: logins, bundle: nil)
        case .bundleSet(let set):
            return set.load(hostKey: hostKey, now: now)
        }
    }

    static func read(_ path: String) throws(AgentError) -> [UInt8] {
        do {
            return try InputReader.read(path)
        } catch {
            throw AgentError(.system, "\(error)")
        }
    }
}
