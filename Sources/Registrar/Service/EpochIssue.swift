import Hashing
import PolicyCompiler
import RSA
import SExpr
import SPKI

/// Everything the registrar issues for one vpxi in one renewal epoch: the signed
/// certificates (each `(sequence CERT SIGNATURE)`), those still to be signed by someone
/// else (another registrar, or the owner for a delegation), each user's chains, and
/// each host's bundle.
public struct EpochIssue: Sendable {
    /// One user's chain to one machine: the machine's ACL and the certs, by hash, in
    /// presentation order.
    public struct ChainTemplate: Sendable {
        public var machine: String
        public var acl: SExpr
        public var certs: [String]
    }

    public let vpxi: String
    public let epoch: RenewalSchedule.Epoch
    public var certs: [IssuedCert]
    /// By user name.
    public var chains: [String: [ChainTemplate]]
    /// By host name: the bundle bytes (see `BundleSource`).
    public var bundles: [String: [UInt8]]
    /// When it is issued (seconds since the epoch): a renewal is issued before its epoch
    /// starts, and its bundles must still carry the running epoch's keys.
    public var issuedAt: Int64
    /// For each cert of the epoch's plan, the index in `certs` of the cert presented for it
    /// (the planned one, the enrolled one or an owner's delegation): the bundles' logins
    /// are assembled from it (`NodeBundleSource.completedLogins`). Empty when unknown.
    var presented: [Int] = []

    /// Plans, signs and assembles epoch `epoch` of `compiled`. `recorded` holds certs
    /// already signed by others, `(sequence CERT SIGNATURE)` by the hash of the cert (what
    /// another registrar's issue recorded): they count as signed. `delegations` are the
    /// owner's accepted delegations: each stands for the unsigned `<owner, U2>` cert it
    /// matches (`Delegation.standing(for:machine:in:)`).
    public static func issue(_ compiled: VPXICompiler.Compiled, epoch: RenewalSchedule.Epoch, at now: Int64,
                             bundleSource: any BundleSource, recorded: [String: SExpr] = [:],
                             delegations: [Delegation] = []) throws(RegistrarError) -> EpochIssue {
        try issue(compiled, epoch: epoch, at: now, bundleSource: bundleSource, recorded: recorded, delegations: delegations, cache: nil)
    }

    /// As above; with `cache`, the certs are signed with its pooled signers (the same
    /// signatures: PKCS #1 v1.5 is deterministic, the blinding only hides the key).
    static func issue(_ compiled: VPXICompiler.Compiled, epoch: RenewalSchedule.Epoch, at now: Int64, bundleSource: any BundleSource,
                      recorded: [String: SExpr] = [:], delegations: [Delegation] = [], cache: RenewalCache?) throws(RegistrarError) -> EpochIssue {
        let ir = compiled.ir
        let plan = certPlan(compiled, epoch: epoch)
        var signatures = try signed(plan, signers: ir.keys.signers, cache: cache)
        // By index: the plan's certs are not copied (retained field by field) to be skipped.
        for index in plan.certs.indices where signatures[index] == nil {
            let planned = plan.certs[index]
            guard let body = recorded[planned.hex], body.head == "sequence", body.tail.first?.canonical == planned.canonical,
                  let signature = body.tail.dropFirst().first.flatMap({ try? SPKISignature(parsing: $0) }) else { continue }
            signatures[index] = Signed(signature: signature, canonical: signature.canonicalBytes)
        }
        let vpxi = ir.model.vpxis[compiled.vpxi]
        let enrolledCerts = EnrolledCerts.of(compiled)
        let parts = IssueParts.of(compiled, plan: plan)
        var certs: [IssuedCert] = []
        certs.reserveCapacity(plan.certs.count)
        // The hash each cert of the plan is presented under; each hash issued once, in
        // plan order.
        var hashes: [String] = []
        hashes.reserveCapacity(plan.certs.count)
        // Each hash's index in `certs`; for each planned cert, the index of the one presented.
        var issuedHashes: [String: Int] = [:]
        var presented: [Int] = []
        presented.reserveCapacity(plan.certs.count)
        /// Whether `hash` is issued for the first time (then as `certs.count`).
        func first(_ hash: String) -> Bool {
            hashes.append(hash)
            if let index = issuedHashes[hash] {
                presented.append(index)
                return false
            }
            issuedHashes[hash] = certs.count
            presented.append(certs.count)
            return true
        }
        // By index: each planned cert read in place, not copied (retained field by field).
        for index in plan.certs.indices {
            let machine = parts.machines[plan.certs[index].machine]
            if plan.certs[index].flow == .resourceToRegistrar {
                // The resource signed its own cert at enrollment: that one is presented.
                let enrolled = enrolledCerts.machines[plan.certs[index].machine]
                guard first(enrolled.hash) else { continue }
                certs.append(IssuedCert(hash: enrolled.hash, flow: plan.certs[index].flow.rawValue, machine: machine,
                                        issuer: plan.certs[index].issuer.name.description,
                                        subject: plan.certs[index].subject.name.description, body: enrolled.body, signed: true,
                                        notAfter: enrolled.notAfter ?? epoch.validity.end, text: enrolled.text,
                                        canonical: enrolled.bodyCanonical))
                continue
            }
            if signatures[index] == nil, let delegation = Delegation.standing(for: plan.certs[index], machine: machine, in: delegations) {
                guard first(delegation.hash) else { continue }
                certs.append(delegation.issued(for: plan.certs[index], machine: machine))
                continue
            }
            guard first(plan.certs[index].hex) else { continue }
            let signature = signatures[index]
            // The certs table records canonical bytes (migration 5): no text is laid out.
            let canonical = signature.map { Self.sequenceCanonical(cert: plan.certs[index].canonical, signature: $0.canonical) }
                ?? plan.certs[index].canonical
            certs.append(IssuedCert(hash: plan.certs[index].hex, flow: plan.certs[index].flow.rawValue, machine: machine,
                                    issuer: plan.certs[index].issuer.name.description,
                                    subject: plan.certs[index].subject.name.description, canonical: canonical, signed: signature != nil,
                                    notAfter: plan.certs[index].cert.validity.notAfter?.secondsSinceEpoch ?? epoch.validity.end, text: nil))
        }
        var chains: [String: [ChainTemplate]] = [:]
        for chain in plan.chains {
            let user = ir.model.users[chain.user].name
            var seen: Set<String> = []
            let presented = chain.certs.compactMap { seen.insert(hashes[$0]).inserted ? hashes[$0] : nil }
            chains[user, default: []].append(ChainTemplate(machine: parts.machines[chain.machine], acl: parts.acl(chain.machine),
                                                           certs: presented))
        }
        let ordered = certs
        var issue = EpochIssue(vpxi: vpxi.name, epoch: epoch, certs: ordered, chains: chains, bundles: [:], issuedAt: now,
                               presented: presented)
        // The signatures of the plan's certs, the enrolled ones where the resource signed the
        // very cert the plan holds.
        var known = signatures.map { $0?.signature }
        for index in plan.certs.indices where plan.certs[index].flow == .resourceToRegistrar {
            let enrolled = enrolledCerts.machines[plan.certs[index].machine]
            known[index] = enrolled.canonical == plan.certs[index].canonical ? enrolled.signature : nil
        }
        // With the cache, the manifests are signed with the pooled signer of the registrar's
        // key (the compiler's only signer), as the certs were.
        if let cache, ir.keys.signers.count == 1, let key = ir.keys.signers.values.first {
            do {
                let unbundled = issue
                issue.bundles = try cache.withSigner(key) { (signer: RSASigner) throws(RegistrarError) in
                    try bundleSource.bundles(for: unbundled, compiled: compiled, certs: plan, signatures: known, signer: signer)
                }
            } catch let error as RegistrarError {
                throw error
            } catch {
                throw RegistrarError(.internal, "the registrar's key cannot sign: \(error)")
            }
        } else {
            issue.bundles = try bundleSource.bundles(for: issue, compiled: compiled, certs: plan, signatures: known)
        }
        return issue
    }

    /// The cert plan of `compiled`'s vpxi for `epoch`. For a compiled vpxi kept between
    /// renewals, from the planner's template kept with it (`CertPlanner.Template`: the
    /// grants' groups, tags, parties and each cert's bytes up to its validity, worked out
    /// at the first epoch), so that an epoch only sets the validities and hashes the certs;
    /// the same plan as planning the epoch afresh.
    static func certPlan(_ compiled: VPXICompiler.Compiled, epoch: RenewalSchedule.Epoch) -> CertPlan {
        let planner = CertPlanner(ir: compiled.ir)
        guard let derived = compiled.derived else { return planner.plan(vpxi: compiled.vpxi, epoch: epoch) }
        return planner.plan(derived.value { planner.template(vpxi: compiled.vpxi) }, epoch: epoch)
    }

    /// A signature of the plan with its canonical bytes (`SPKISignature.canonicalBytes`),
    /// written once: the issued cert and the bundles' logins both take them.
    struct Signed: Sendable {
        var signature: SPKISignature
        var canonical: [UInt8]
    }

    /// The signatures of the certs of `plan` whose issuer's key is in `signers` (nil for
    /// the others), each with its canonical bytes: the compiler's `CertSigner`, or, with
    /// `cache`, one pooled signer per key for the whole plan. With `cache`,
    /// each cert's RSA signature is made over the digest the plan already holds
    /// (`PlannedCert.digest`, the SHA-256 of the bytes signed: `SPKISignature.sign` would
    /// hash them again), and the signer's principal, its `(hash sha256 ...)`, the
    /// algorithm word and the principal's canonical bytes are made once per key, not once
    /// per cert: the same signature objects, byte for byte.
    static func signed(_ plan: CertPlan, signers: [PrincipalID: RSAPrivateKey], cache: RenewalCache?) throws(RegistrarError) -> [Signed?] {
        guard let cache else {
            do {
                return try CertSigner.sign(plan, signers: signers).signatures.map { signature in
                    signature.map { Signed(signature: $0, canonical: $0.canonicalBytes) }
                }
            } catch {
                throw RegistrarError(.internal, "signing failed: \(error.message)")
            }
        }
        var signatures = [Signed?](repeating: nil, count: plan.certs.count)
        var byKey: [PrincipalID: [Int]] = [:]
        for index in plan.certs.indices where signers[plan.certs[index].issuer.key.id] != nil {
            byKey[plan.certs[index].issuer.key.id, default: []].append(index)
        }
        let hash = HashAlgorithm.sha256
        let algorithm = SPKISignature.algorithmWord(hash)
        for (id, indices) in byKey {
            let principal = plan.certs[indices[0]].issuer.key.hash
            let principalCanonical = principal.canonical
            do {
                try cache.withSigner(signers[id]!) { (signer: RSASigner) throws(RSAError) in
                    for index in indices {
                        // The plan's digest is SHA-256 of the cert's canonical bytes, what a signature covers.
                        let digest = plan.certs[index].digest
                        let signature = SPKISignature(hash: hash, digest: digest, principal: principal, algorithm: algorithm,
                                                      signature: try signer.sign(digest: digest, hash: hash))
                        signatures[index] = Signed(signature: signature, canonical: signature.canonicalBytes(principalCanonical: principalCanonical))
                    }
                }
            } catch {
                throw RegistrarError(.internal, "signing failed: cannot sign as \(plan.certs[indices[0]].issuer.name): \(error)")
            }
        }
        return signatures
    }

    /// The document a user pulls: `(chains (vpxi V) (user U) (epoch K) (machine M ACL
    /// (sequence ...)) ...)`, each sequence holding the signed certs of the chain in order
    /// and `(pending CERT)` for those not signed yet.
    public static func chainDocument(vpxi: String, user: String, epoch: Int, templates: [ChainTemplate],
                                     certs: [String: (body: SExpr, signed: Bool)]) -> SExpr {
        var items: [SExpr] = ["chains", ["vpxi", .string(vpxi)], ["user", .string(user)], ["epoch", .string(String(epoch))]]
        for template in templates {
            var sequence: [SExpr] = ["sequence"]
            var pending: [SExpr] = []
            for hash in template.certs {
                guard let cert = certs[hash] else { continue }
                if cert.signed {
                    sequence += cert.body.head == "sequence" ? Array(cert.body.tail) : [cert.body]
                } else {
                    pending.append(["pending", cert.body])
                }
            }
            items.append(.list([["machine", .string(template.machine)], template.acl, .list(sequence)] + pending)
                .prepending("machine-chain"))
        }
        return .list(items)
    }

    /// The chain templates of a user, as stored: `(templates (t MACHINE ACL |H1| |H2|...))`.
    public static func encode(_ templates: [ChainTemplate]) -> SExpr {
        .list(["templates"] + templates.map { .list(["t", .string($0.machine), $0.acl] + $0.certs.map { .string($0) }) })
    }

    public static func decode(_ value: SExpr) -> [ChainTemplate] {
        value.tail.compactMap { item in
            let parts = Array(item.tail)
            guard parts.count >= 2, let machine = parts[0].text else { return nil }
            return ChainTemplate(machine: machine, acl: parts[1], certs: parts.dropFirst(2).compactMap(\.text))
        }
    }
}

extension SExpr {
    /// The list with `head` as its first element.
    func prepending(_ head: String) -> SExpr {
        guard case .list(let items) = self else { return self }
        return .list([.string(head)] + items)
    }
}
