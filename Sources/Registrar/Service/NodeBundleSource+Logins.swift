import Backends
import PolicyCompiler
import SExpr
import SPKI

extension NodeBundleSource {
    /// The logins the compiler's mapping left pending because it lacks a signature it
    /// cannot make (the resource's `<R, H, A, propagate, V>`: the resource signed its own
    /// cert at enrollment, and it may differ from the one the plan holds), completed from
    /// the epoch's chains, which present the enrolled cert: the same chain the user pulls.
    /// A chain with a cert still unsigned (a delegation the owner has not signed) stays out.
    /// The validity of each cert comes from the epoch's plan (`plan`, already parsed) where
    /// the plan holds the cert; only the others (the enrolled resource certs, the owners'
    /// delegations) are parsed, once each.
    static func completedLogins(_ pending: [NodeLogins.Pending], issue: EpochIssue, compiled: VPXICompiler.Compiled,
                                vmNames: [[String]], plan: CertPlan? = nil) -> [BundlePlan.Login] {
        let vpxi = compiled.model.vpxis[compiled.vpxi]
        let certs = Dictionary(issue.certs.map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first })
        var validities = Dictionary((plan?.certs ?? []).map { ($0.hex, Optional($0.cert.validity)) }, uniquingKeysWith: { first, _ in first })
        // The enrolled resource certs' validities, parsed once per kept vpxi.
        for enrolled in EnrolledCerts.of(compiled).machines where validities[enrolled.hash] == nil {
            validities.updateValue(enrolled.validity, forKey: enrolled.hash)
        }
        func validity(_ cert: EpochIssue.IssuedCert) -> Validity? {
            if let known = validities[cert.hash] { return known }
            var warnings: [SPKIWarning] = []
            let parsed = cert.body.tail.first.flatMap { try? Cert(parsing: $0, warnings: &warnings) }?.validity
            validities[cert.hash] = parsed
            return parsed
        }
        var logins: [BundlePlan.Login] = []
        for login in pending where login.vpxi == vpxi.name {
            guard let machine = vpxi.machines.firstIndex(where: { $0.name == login.machine }),
                  let user = compiled.model.users.first(where: { $0.name == login.user }),
                  let template = issue.chains[login.user]?.first(where: { $0.machine == login.machine }) else { continue }
            // `(8:sequence CERT SIGNATURE CERT SIGNATURE ...)`, written straight from each
            // cert's `(8:sequence CERT SIGNATURE)` (`BundlePlan.Login.sequenceCanonical` of
            // the pairs).
            var chain = EpochIssue.sequenceHead
            chain.reserveCapacity(template.certs.reduce(chain.count + 1) { $0 + (certs[$1]?.canonical?.count ?? 0) })
            var notBefore: SPKIDate?
            var notAfter = SPKIDate(secondsSinceEpoch: vpxi.window.end)
            var complete = true
            for hash in template.certs {
                guard let cert = certs[hash], cert.signed, cert.isSequence else {
                    complete = false
                    break
                }
                let canonical = cert.canonical ?? cert.body.canonical
                chain += canonical[EpochIssue.sequenceHead.count ..< canonical.count - 1]
                guard let valid = validity(cert) else {
                    complete = false
                    break
                }
                if let start = valid.notBefore, notBefore.map({ start > $0 }) ?? true { notBefore = start }
                if let end = valid.notAfter, end < notAfter { notAfter = end }
            }
            guard complete else { continue }
            chain.append(0x29)
            logins.append(BundlePlan.Login(vm: vmNames[compiled.vpxi][machine], user: user.name, sshPublicKey: user.key.sshLine,
                                           chainCanonical: chain, notBefore: notBefore,
                                           expires: notAfter))
        }
        return logins
    }
}
