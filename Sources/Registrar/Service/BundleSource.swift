import Backends
import Crypto
import Foundation
import PolicyCompiler
import RSA
import SPKI
import ToolSupport

/// Where the per-host bundles of an epoch come from. The registrar stores and serves
/// whatever bytes it returns, by host, with an ETag.
public protocol BundleSource: Sendable {
    /// The bundle of every host registered with this registrar (the one whose private key
    /// is the compiler's signer) that runs machines of the vpxi, by host name. `certs` is
    /// the epoch's cert plan and `signatures` its signatures, one per cert (nil when the
    /// registrar does not have it).
    func bundles(for issue: EpochIssue, compiled: VPXICompiler.Compiled, certs: CertPlan,
                 signatures: [SPKISignature?]) throws(RegistrarError) -> [String: [UInt8]]

    /// As above, the manifests signed with `signer` when given (the caller's pooled signer
    /// of this registrar's key, with its blinding state) rather than a signer made for the
    /// call. The same bytes either way: PKCS #1 v1.5 signatures are deterministic.
    func bundles(for issue: EpochIssue, compiled: VPXICompiler.Compiled, certs: CertPlan,
                 signatures: [SPKISignature?], signer: RSASigner?) throws(RegistrarError) -> [String: [UInt8]]

    /// The ESP secret of `vpxi`, wrapped (RSA-OAEP) to the key of another registrar whose
    /// hosts run machines of it, so that both ends of a link between their hosts get the
    /// same keys; nil when this source has no such secret.
    func wrappedSecret(vpxi: String, for registrar: RSAPublicKey) throws(RegistrarError) -> [UInt8]?

    /// The source that builds this registrar's hosts' bundles of `vpxi`, a vpxi another
    /// registrar builds, from the secret that registrar shared (`wrapped`, unwrapped with
    /// this registrar's `key`).
    func sharing(vpxi: String, wrapped: [UInt8], key: RSAKeyFile) throws(RegistrarError) -> any BundleSource
}

extension BundleSource {
    public func bundles(for issue: EpochIssue, compiled: VPXICompiler.Compiled, certs: CertPlan,
                        signatures: [SPKISignature?], signer: RSASigner?) throws(RegistrarError) -> [String: [UInt8]] {
        try bundles(for: issue, compiled: compiled, certs: certs, signatures: signatures)
    }

    public func wrappedSecret(vpxi: String, for registrar: RSAPublicKey) throws(RegistrarError) -> [UInt8]? { nil }
    public func sharing(vpxi: String, wrapped: [UInt8], key: RSAKeyFile) throws(RegistrarError) -> any BundleSource { self }
}

/// The back ends' bundles: the compiler's mapping (`NodeBundlePlanner`, given the keys, the
/// cert plan and its signatures) then `BundleBuilder`, each host's bundle as a
/// `BundleArchive` (`Docs/registrar.md`, "Bundles").
///
/// The registrar signs the bundles of the hosts registered with it that run machines of
/// the vpxi, and only those: a host registered with another registrar gets its bundle from
/// that one (its agent trusts its own registrar's key, paper 4.2.2). Every host of the vpxi
/// is in the plan all the same, so that the links between hosts of different registrars,
/// their SPIs and their peers come out the same on both sides.
///
/// The ESP keys of a vpxi derive from a secret of its own, `HKDF-SHA-256(master, salt
/// "spkic registrar vpxi secret v1", info VPXI)`, where the master secret is the one given
/// here: the registrar that builds the vpxi shares that one secret (never the master) with
/// the other registrars whose hosts it uses, wrapped to each one's key (`wrappedSecret`),
/// and they build their hosts' bundles with it (`sharing`). Keys are wrapped to each host's
/// enrolled key.
public struct NodeBundleSource: BundleSource, CustomStringConvertible {
    /// The master secret (never printed: `description` hides it).
    let master: [UInt8]
    /// For another registrar's vpxi: that vpxi's secret, as shared.
    let shared: SharedSecret?

    struct SharedSecret: Sendable {
        var vpxi: String
        var secret: [UInt8]
    }

    /// A source over the master secret `masterSecret` (at least 32 bytes).
    public init(masterSecret: [UInt8]) throws(RegistrarError) {
        guard masterSecret.count >= BundleSecrets.minimumLength else {
            throw RegistrarError(.malformed, "the ESP master secret has \(masterSecret.count) bytes, fewer than \(BundleSecrets.minimumLength)",
                                 help: "generate 32 random bytes")
        }
        master = masterSecret
        shared = nil
    }

    init(master: [UInt8], shared: SharedSecret?) {
        self.master = master
        self.shared = shared
    }

    /// The source whose ESP master secret is `DIR/esp-master.secret` (32 random bytes,
    /// mode 0600, refused when others can read it), made on first use: the compiler's own
    /// key-store rules (`NodeKeys`).
    public static func load(keyDirectory: String) throws(RegistrarError) -> NodeBundleSource {
        let empty = PolicyModel()
        let ir = InfrastructureIR(model: empty, placement: Placer.place(empty),
                                  keys: ResolvedKeys(machines: [], signers: [:], hosts: [:], generated: []))
        do {
            // Checks (size, permissions) and makes the secret when missing.
            _ = try NodeKeys.load(ir, store: KeyStoreDirectory(directories: [keyDirectory]), generateMissing: true)
        } catch {
            throw RegistrarError(.malformed, "the ESP master secret in `\(keyDirectory)` cannot be used: \(error.error.message)",
                                 help: error.error.help)
        }
        let path = "\(keyDirectory)/\(NodeKeys.secretFileName)"
        do {
            return try NodeBundleSource(masterSecret: try InputReader.read(path, limit: 4096))
        } catch let error as RegistrarError {
            throw error
        } catch {
            throw RegistrarError(.malformed, "cannot read the ESP master secret `\(path)`: \(error)")
        }
    }

    /// A source with a fresh secret held in memory only: for tests and throwaway
    /// registrars (every restart changes every ESP key).
    public static func ephemeral() -> NodeBundleSource {
        NodeBundleSource(master: BundleSecrets.generate(), shared: nil)
    }

    public var description: String { "NodeBundleSource(redacted)" }

    /// The secret the ESP keys of `vpxi` derive from.
    func secret(vpxi: String) -> [UInt8] {
        if let shared, shared.vpxi == vpxi { return shared.secret }
        let key = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: master), salt: Array("spkic registrar vpxi secret v1".utf8),
                                         info: Array(vpxi.utf8), outputByteCount: 32)
        return key.withUnsafeBytes { Array($0) }
    }

    /// The OAEP label that binds a wrapped secret to its vpxi.
    static func label(vpxi: String) -> [UInt8] { Array("spkic vpxi esp secret v1 \(vpxi)".utf8) }

    public func wrappedSecret(vpxi: String, for registrar: RSAPublicKey) throws(RegistrarError) -> [UInt8]? {
        do {
            return try registrar.encryptOAEP(secret(vpxi: vpxi), label: Self.label(vpxi: vpxi))
        } catch {
            throw RegistrarError(.internal, "cannot wrap the ESP secret of vpxi `\(vpxi)`: \(error.message)")
        }
    }

    public func sharing(vpxi: String, wrapped: [UInt8], key: RSAKeyFile) throws(RegistrarError) -> any BundleSource {
        guard let privateKey = key.privateKey else { throw RegistrarError(.internal, "the registrar's key holds no private key") }
        let secret: [UInt8]
        do {
            secret = try RSASigner(key: privateKey).decryptOAEP(wrapped, label: Self.label(vpxi: vpxi))
        } catch {
            throw RegistrarError(.internal, "the ESP secret shared for vpxi `\(vpxi)` does not unwrap with this registrar's key: \(error.message)",
                                 help: "the registrar that builds the vpxi wraps it to the key recorded for this registrar")
        }
        guard secret.count >= BundleSecrets.minimumLength else {
            throw RegistrarError(.internal, "the ESP secret shared for vpxi `\(vpxi)` is too short")
        }
        return NodeBundleSource(master: master, shared: SharedSecret(vpxi: vpxi, secret: secret))
    }

    /// What the bundles of a compiled vpxi derive from besides the epoch: the plan's view
    /// of the pool (this registrar's hosts and the others'), the hosts' parsed keys, the
    /// ESP secrets, the users' keys. Kept (`BundlePreparations`) while the compiled
    /// vpxi is.
    func prepare(_ compiled: VPXICompiler.Compiled) throws(RegistrarError) -> BundlePreparations.Prepared {
        let ir = compiled.ir
        // This registrar: the one whose private key the compiler signs with.
        guard let me = compiled.model.registrars.firstIndex(where: { ir.keys.signers[$0.key.id] != nil }) else {
            throw RegistrarError(.internal, "the registrar's private key is not among the compiler's signers")
        }
        var model = compiled.model
        var hostKeys: [String: RSAPublicKey] = [:]
        for slot in compiled.slots {
            guard let sexp = slot.hostKey else { continue }
            hostKeys[slot.host] = try VPXICompiler.keyInfo(sexp, origin: "host `\(slot.host)`").rsa
        }
        guard let filler = model.registrars[me].key.rsa else {
            throw RegistrarError(.internal, "the registrar's key is not an RSA key")
        }
        // Every host that runs machines of the vpxi is planned; the others (the rest of the
        // pool) as unregistered: no bundle, no key needed (the filler is never used). The
        // hosts of other registrars are planned as this one's so that the plan resolves
        // (their registrar's private key is not here), and are never built: the
        // registration only picks the key a host's manifest is signed with.
        var own: [String] = []
        var keys: [RSAPublicKey] = []
        for index in model.hosts.indices {
            let host = model.hosts[index]
            if let registration = host.registration, hostKeys[host.name] != nil {
                if registration.registrar == me { own.append(host.name) }
                model.hosts[index].registration?.registrar = me
            } else {
                model.hosts[index].registration = nil
            }
            keys.append(hostKeys[host.name] ?? filler)
        }
        let vpxi = compiled.name
        let secrets: BundleSecrets
        do {
            secrets = try BundleSecrets(espMasterKey: secret(vpxi: vpxi))
        } catch {
            throw RegistrarError(.internal, "the ESP secret of vpxi `\(vpxi)` cannot be used: \(error.message)")
        }
        let planned = InfrastructureIR(model: model, placement: ir.placement, keys: ir.keys)
        let skeleton: NodeBundlePlanner.Skeleton
        do {
            skeleton = try NodeBundlePlanner.skeleton(ir: planned, keys: NodeKeys(hosts: keys, secrets: secrets))
        } catch {
            throw RegistrarError(.internal, "the bundles of vpxi `\(vpxi)` cannot be planned: \(error.error.message)", help: error.error.help)
        }
        return BundlePreparations.Prepared(ir: planned, own: own, hostKeys: keys, secrets: secrets, skeleton: skeleton,
                                           sshLines: Self.sshLines(compiled.model.users),
                                           files: BundleFileCache(limit: max(16, compiled.model.vpxis[compiled.vpxi].machines.count)))
    }

    /// Each user's OpenSSH key line from its RSA key (the first key of each name), made
    /// once per prepared vpxi rather than once per login and epoch.
    static func sshLines(_ users: [PolicyModel.User]) -> [String: String] {
        var lines: [String: String] = [:]
        var seen: Set<String> = []
        for user in users where seen.insert(user.name).inserted {
            guard let rsa = user.key.rsa else { continue }
            lines[user.name] = RSAOpenSSH.publicKeyLine(rsa, comment: user.name).trimmingCharacters(in: "\n")
        }
        return lines
    }

    public func bundles(for issue: EpochIssue, compiled: VPXICompiler.Compiled, certs: CertPlan,
                        signatures: [SPKISignature?]) throws(RegistrarError) -> [String: [UInt8]] {
        try bundles(for: issue, compiled: compiled, certs: certs, signatures: signatures, signer: nil)
    }

    public func bundles(for issue: EpochIssue, compiled: VPXICompiler.Compiled, certs: CertPlan,
                        signatures: [SPKISignature?], signer: RSASigner?) throws(RegistrarError) -> [String: [UInt8]] {
        let prepared = try BundlePreparations.prepared(compiled) { () throws(RegistrarError) in try prepare(compiled) }
        let secrets = prepared.secrets
        let own = prepared.own
        var plan: BundlePlan
        do {
            // From the earlier of the epoch's start and the issue: a renewal's bundle, pulled
            // before its epoch starts, still holds the running epoch's keys.
            let at = min(issue.epoch.start, issue.issuedAt)
            let planned = try NodeBundlePlanner.plan(prepared.skeleton, ir: prepared.ir, at: at, certs: certs,
                                                     signatures: NodeLogins.Signatures(known: signatures, signers: [:]))
            plan = planned.plan
            plan.logins += Self.completedLogins(planned.pendingLogins, issue: issue, compiled: compiled, vmNames: planned.vmNames, plan: certs)
            // The registrar knows one key per user, its RSA key: it is also the user's SSH key.
            for index in plan.logins.indices where plan.logins[index].sshPublicKey == nil {
                plan.logins[index].sshPublicKey = prepared.sshLines[plan.logins[index].user]
            }
        } catch {
            throw RegistrarError(.internal, "the bundles of vpxi `\(issue.vpxi)` cannot be planned: \(error.error.message)", help: error.error.help)
        }
        var result: [String: [UInt8]] = [:]
        do {
            let builder = try BundleBuilder(plan: plan, secrets: secrets, cache: prepared.files)
            for host in own {
                if let signer {
                    result[host] = BundleArchive.encode(try builder.build(host: host, signer: signer))
                } else {
                    result[host] = BundleArchive.encode(try builder.build(host: host))
                }
            }
        } catch {
            throw RegistrarError(.internal, "the bundles of vpxi `\(issue.vpxi)` cannot be built: \(error.message)",
                                 help: error.help)
        }
        return result
    }
}
