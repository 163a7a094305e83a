import Backends
import RSA
import SExpr
import SPKI

/// The SSH logins of a compilation's bundles: for each user granted `ssh` (or `*`) on a
/// machine, the chain the compiler planned for that user and machine, signed, as the user
/// presents it (`(sequence CERT SIGNATURE …)`), with the window in which every cert of the
/// chain holds.
public enum NodeLogins {
    /// A login left out of the bundles: a cert of its chain has no signature yet (its
    /// issuer's private key is not in the key store: a pending request).
    public struct Pending: Sendable, Hashable {
        public var user: String
        public var vpxi: String
        public var machine: String
    }

    /// Where the signatures of the chains' certs come from, in order: `signatures[i]` (for
    /// cert i of the plan: a compilation's own), then the signer of the issuer in
    /// `signers` (RSA PKCS #1 v1.5 is deterministic: the same bytes as a signature made
    /// before), then the compiler's output directory `output` (the signatures in each
    /// vpxi's `certs/<vpxi>` file, read once per vpxi: a reused cert's, or one merged from
    /// `pending/` in an earlier run), then `lookup`.
    public struct Signatures: Sendable {
        public var known: [SPKISignature?]
        public var signers: [PrincipalID: RSAPrivateKey]
        public var output: String?
        public var lookup: (@Sendable (CertPlan.PlannedCert) -> SPKISignature?)?

        public init(known: [SPKISignature?] = [], signers: [PrincipalID: RSAPrivateKey], output: String? = nil,
                    lookup: (@Sendable (CertPlan.PlannedCert) -> SPKISignature?)? = nil) {
            self.known = known
            self.signers = signers
            self.output = output
            self.lookup = lookup
        }

        /// The signature of `planned` in the output directory or from `lookup`; `cache`
        /// holds the output's signatures of each vpxi read so far.
        func find(_ planned: CertPlan.PlannedCert, vpxiName: String, cache: inout [Int: [[UInt8]: SPKISignature]]) -> SPKISignature? {
            if let output {
                if cache[planned.vpxi] == nil {
                    let previous = PreviousOutput(directory: output, signedCerts: [], certLines: [:], chains: [:], acls: [:])
                    cache[planned.vpxi] = previous.signatures(ofVPXI: vpxiName)
                }
                if let found = cache[planned.vpxi]?[planned.digest] { return found }
            }
            return lookup?(planned)
        }
    }

    /// The logins of `plan`, VM names from `vmNames[vpxi][machine]`.
    public static func logins(_ ir: InfrastructureIR, plan: CertPlan, vmNames: [[String]],
                              signatures: Signatures) throws(NodePlanningError) -> (logins: [BundlePlan.Login], pending: [Pending]) {
        let model = ir.model
        // (user, machine) pairs with an ssh right, per vpxi.
        var ssh = [Set<Int>](repeating: [], count: model.vpxis.count)
        for (v, vpxi) in model.vpxis.enumerated() {
            for grant in vpxi.grants where grant.rights.contains(where: { $0.name == "ssh" || $0.name == "*" }) {
                for target in grant.targets { ssh[v].insert(grant.user * vpxi.machines.count + target) }
            }
        }
        let chains = plan.chains.filter { ssh[$0.vpxi].contains($0.user * model.vpxis[$0.vpxi].machines.count + $0.machine) }
        // Where each chain cert's signature is: given (`known`), made here (on every core)
        // or found (`extra`); no signature is copied until a complete chain needs it.
        var have = [Bool](repeating: false, count: plan.certs.count)
        var extra: [Int: SPKISignature] = [:]
        var toSign: [Int] = []
        var seen = [Bool](repeating: false, count: plan.certs.count)
        var outputSignatures: [Int: [[UInt8]: SPKISignature]] = [:]
        for chain in chains {
            for index in chain.certs where !seen[index] {
                seen[index] = true
                if index < signatures.known.count, signatures.known[index] != nil {
                    have[index] = true
                } else if signatures.signers[plan.certs[index].issuer.key.id] != nil {
                    toSign.append(index)
                } else if let signature = signatures.find(plan.certs[index], vpxiName: model.vpxis[plan.certs[index].vpxi].name,
                                                          cache: &outputSignatures) {
                    extra[index] = signature
                    have[index] = true
                }
            }
        }
        if !toSign.isEmpty {
            var subplan = CertPlan()
            subplan.certs = toSign.map { plan.certs[$0] }
            let signed: CertSigner.Result
            do {
                signed = try CertSigner.sign(subplan, signers: signatures.signers)
            } catch {
                throw NodePlanningError(.cryptoFailure, "cannot sign the chains of the logins: \(error.message)")
            }
            for (position, index) in toSign.enumerated() {
                extra[index] = signed.signatures[position]
                have[index] = signed.signatures[position] != nil
            }
        }
        // Each signature's canonical bytes once, when a complete chain first needs them: a
        // cert is in the chain of every user of its machine, and a chain left pending (the
        // registrar's, whose resource cert the compiler cannot sign) needs none. The chains
        // are assembled from the certs' and signatures' canonical bytes.
        var signatureBytes = [[UInt8]?](repeating: nil, count: plan.certs.count)
        var logins: [BundlePlan.Login] = []
        logins.reserveCapacity(chains.count)
        var pending: [Pending] = []
        for chain in chains {
            let vpxi = model.vpxis[chain.vpxi]
            let user = model.users[chain.user]
            guard chain.certs.allSatisfy({ have[$0] }) else {
                pending.append(Pending(user: user.name, vpxi: vpxi.name, machine: vpxi.machines[chain.machine].name))
                continue
            }
            var items: [[UInt8]] = []
            items.reserveCapacity(chain.certs.count * 2)
            var notBefore: SPKIDate?
            var notAfter = SPKIDate(secondsSinceEpoch: vpxi.window.end)
            for index in chain.certs {
                let cert = plan.certs[index].cert
                items.append(plan.certs[index].canonical)
                if signatureBytes[index] == nil { signatureBytes[index] = (extra[index] ?? signatures.known[index])!.canonicalBytes }
                items.append(signatureBytes[index]!)
                if let start = cert.validity.notBefore, notBefore.map({ start > $0 }) ?? true { notBefore = start }
                if let end = cert.validity.notAfter, end < notAfter { notAfter = end }
            }
            logins.append(BundlePlan.Login(vm: vmNames[chain.vpxi][chain.machine], user: user.name, sshPublicKey: user.key.sshLine,
                                           chainCanonical: BundlePlan.Login.sequenceCanonical(items), notBefore: notBefore,
                                           expires: notAfter))
        }
        return (logins, pending)
    }
}
