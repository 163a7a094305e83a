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
    ///
    /// With the epoch's plan and the certs presented for it (`EpochIssue.presented`), each
    /// login's chain is the plan's chain for its user and machine, its certs taken by index
    /// (no look-up by hash); else by the chain templates' hashes
    /// (`completedLoginsByHash`, the same logins: `IssueLoginsTests`).
    static func completedLogins(_ pending: [NodeLogins.Pending], issue: EpochIssue, compiled: VPXICompiler.Compiled,
                                vmNames: [[String]], plan: CertPlan? = nil) -> [BundlePlan.Login] {
        guard let plan, !plan.certs.isEmpty, issue.presented.count == plan.certs.count else {
            return completedLoginsByHash(pending, issue: issue, compiled: compiled, vmNames: vmNames, plan: plan)
        }
        let model = compiled.model
        let vpxi = model.vpxis[compiled.vpxi]
        let enrolled = EnrolledCerts.of(compiled).machines
        // The validities of certs that are neither planned nor enrolled (the owners'
        // delegations), parsed once each, by index in `issue.certs`.
        var parsed: [Int: Validity?] = [:]
        // The planned and issued certs are read in place (not copied, retained field by field).
        func validity(planned index: Int, issued: Int) -> Validity? {
            if issue.certs[issued].hash == plan.certs[index].hex { return plan.certs[index].cert.validity }
            let machine = plan.certs[index].machine
            if plan.certs[index].flow == .resourceToRegistrar, machine < enrolled.count, enrolled[machine].hash == issue.certs[issued].hash {
                return enrolled[machine].validity
            }
            if let known = parsed[issued] { return known }
            var warnings: [SPKIWarning] = []
            let validity = issue.certs[issued].body.tail.first.flatMap { try? Cert(parsing: $0, warnings: &warnings) }?.validity
            parsed[issued] = .some(validity)
            return validity
        }
        var logins: [BundlePlan.Login] = []
        var taken: [Int] = []
        for login in pending where login.vpxi == vpxi.name {
            // The plan's first chain for the user and machine (the one its template holds).
            guard let chain = plan.chains.first(where: { chain in
                      chain.vpxi == compiled.vpxi && vpxi.machines[chain.machine].name == login.machine
                          && model.users[chain.user].name == login.user
                  }),
                  let user = model.users.first(where: { $0.name == login.user }) else { continue }
            var bytes = EpochIssue.sequenceHead
            bytes.reserveCapacity(chain.certs.reduce(bytes.count + 1) { $0 + (issue.certs[issue.presented[$1]].canonical?.count ?? 0) })
            var notBefore: SPKIDate?
            var notAfter = SPKIDate(secondsSinceEpoch: vpxi.window.end)
            var complete = true
            taken.removeAll(keepingCapacity: true)
            for index in chain.certs {
                // Each cert presented once, in chain order (as in the chain template).
                let issued = issue.presented[index]
                if taken.contains(issued) { continue }
                taken.append(issued)
                guard issue.certs[issued].signed, issue.certs[issued].isSequence else {
                    complete = false
                    break
                }
                if let canonical = issue.certs[issued].canonical {
                    bytes += canonical[EpochIssue.sequenceHead.count ..< canonical.count - 1]
                } else {
                    let canonical = issue.certs[issued].body.canonical
                    bytes += canonical[EpochIssue.sequenceHead.count ..< canonical.count - 1]
                }
                guard let valid = validity(planned: index, issued: issued) else {
                    complete = false
                    break
                }
                if let start = valid.notBefore, notBefore.map({ start > $0 }) ?? true { notBefore = start }
                if let end = valid.notAfter, end < notAfter { notAfter = end }
            }
            guard complete else { continue }
            bytes.append(0x29)
            logins.append(BundlePlan.Login(vm: vmNames[compiled.vpxi][chain.machine], user: user.name, sshPublicKey: user.key.sshLine,
                                           chainCanonical: bytes, notBefore: notBefore, expires: notAfter))
        }
        return logins
    }

    /// `completedLogins` by the chain templates: each login's template found by user and
    /// machine name, its certs by hash (the reference the indexed path is tested against).
    static func completedLoginsByHash(_ pending: [NodeLogins.Pending], issue: EpochIssue, compiled: VPXICompiler.Compiled,
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
