import Backends
import PolicyCompiler
import RSA
import SPKI

/// Where the per-host bundles of an epoch come from. The registrar stores and serves
/// whatever bytes it returns, by host, with an ETag.
public protocol BundleSource: Sendable {
    /// The bundle of every host that runs machines of the vpxi, by host name. `certs` is
    /// the epoch's cert plan and `signatures` its signatures, one per cert (nil when the
    /// registrar does not have it).
    func bundles(for issue: EpochIssue, compiled: VPXICompiler.Compiled, certs: CertPlan,
                 signatures: [SPKISignature?]) throws(RegistrarError) -> [String: [UInt8]]
}

/// The back ends' bundles: the compiler's mapping (`NodeBundlePlanner`, given the keys, the
/// cert plan and its signatures) then `BundleBuilder`, each host's bundle as a
/// `BundleArchive` (`Docs/registrar.md`, "Bundles").
///
/// The registrar signs the bundles of the hosts registered with it that run machines of
/// the vpxi, and only those: a host registered with another registrar gets its bundle from
/// that one, and VMs placed there are left out of this registrar's plan (with their links).
/// The ESP keys are derived from the master secret given here and wrapped to each host's
/// enrolled key.
public struct NodeBundleSource: BundleSource {
    let secrets: BundleSecrets

    public init(secrets: BundleSecrets) {
        self.secrets = secrets
    }

    /// The source whose ESP master secret is `DIR/esp-master.secret` (32 random bytes,
    /// mode 0600, refused when others can read it), made on first use: the compiler's own
    /// key-store rules (`NodeKeys`), so `spkic nodes --keys DIR` derives the same keys.
    public static func load(keyDirectory: String) throws(RegistrarError) -> NodeBundleSource {
        let empty = PolicyModel()
        let ir = InfrastructureIR(model: empty, placement: Placer.place(empty),
                                  keys: ResolvedKeys(machines: [], signers: [:], hosts: [:], generated: []))
        do {
            let keys = try NodeKeys.load(ir, store: KeyStoreDirectory(directories: [keyDirectory]), generateMissing: true)
            return NodeBundleSource(secrets: keys.secrets)
        } catch {
            throw RegistrarError(.malformed, "the ESP master secret in `\(keyDirectory)` cannot be used: \(error.error.message)",
                                 help: error.error.help)
        }
    }

    /// A source with a fresh secret held in memory only: for tests and throwaway
    /// registrars (every restart changes every ESP key).
    public static func ephemeral() -> NodeBundleSource {
        // A generated secret always has the minimum length.
        NodeBundleSource(secrets: try! BundleSecrets(espMasterKey: BundleSecrets.generate()))
    }

    public func bundles(for issue: EpochIssue, compiled: VPXICompiler.Compiled, certs: CertPlan,
                        signatures: [SPKISignature?]) throws(RegistrarError) -> [String: [UInt8]] {
        let ir = compiled.ir
        let me = compiled.model.vpxis[compiled.vpxi].registrar
        var model = compiled.model
        var hostKeys: [String: RSAPublicKey] = [:]
        for slot in compiled.slots {
            guard let sexp = slot.hostKey else { continue }
            hostKeys[slot.host] = try VPXICompiler.keyInfo(sexp, origin: "host `\(slot.host)`").rsa
        }
        // Hosts outside this bundle run (not ours, or running none of the vpxi's machines)
        // are planned as unregistered: no bundle, no key needed (the filler is never used).
        guard let filler = ir.keys.signers.values.first?.publicKey else {
            throw RegistrarError(.internal, "the registrar's private key is not among the compiler's signers")
        }
        var keys: [RSAPublicKey] = []
        for index in model.hosts.indices {
            let host = model.hosts[index]
            if host.registration?.registrar != me || hostKeys[host.name] == nil { model.hosts[index].registration = nil }
            keys.append(hostKeys[host.name] ?? filler)
        }
        let restricted = InfrastructureIR(model: model, placement: ir.placement, keys: ir.keys)
        var plan: BundlePlan
        do {
            // From the earlier of the epoch's start and the issue: a renewal's bundle, pulled
            // before its epoch starts, still holds the running epoch's keys.
            let at = min(issue.epoch.start, issue.issuedAt)
            let planned = try NodeBundlePlanner.plan(ir: restricted, at: at, keys: NodeKeys(hosts: keys, secrets: secrets),
                                                     certs: certs, signatures: NodeLogins.Signatures(known: signatures, signers: [:]))
            plan = planned.plan
            plan.logins += Self.completedLogins(planned.pendingLogins, issue: issue, compiled: compiled, vmNames: planned.vmNames)
            // The registrar knows one key per user, its RSA key: it is also the user's SSH key.
            let users = Dictionary(compiled.model.users.map { ($0.name, $0.key) }, uniquingKeysWith: { first, _ in first })
            for index in plan.logins.indices where plan.logins[index].sshPublicKey == nil {
                let user = plan.logins[index].user
                plan.logins[index].sshPublicKey = users[user]?.rsa.map { RSAOpenSSH.publicKeyLine($0, comment: user).trimmingCharacters(in: "\n") }
            }
        } catch {
            throw RegistrarError(.internal, "the bundles of vpxi `\(issue.vpxi)` cannot be planned: \(error.error.message)", help: error.error.help)
        }
        let planned = Set(plan.hosts.map(\.name))
        let kept = Set(plan.vms.filter { planned.contains($0.host) }.map(\.name))
        plan.vms = plan.vms.filter { kept.contains($0.name) }
        plan.links = plan.links.filter { kept.contains($0.a) && kept.contains($0.b) }
        plan.logins = plan.logins.filter { kept.contains($0.vm) }
        var result: [String: [UInt8]] = [:]
        do {
            for bundle in try BundleBuilder(plan: plan, secrets: secrets).buildAll() {
                result[bundle.host] = BundleArchive.encode(bundle)
            }
        } catch {
            throw RegistrarError(.internal, "the bundles of vpxi `\(issue.vpxi)` cannot be built: \(error.message)",
                                 help: error.help)
        }
        return result
    }
}
