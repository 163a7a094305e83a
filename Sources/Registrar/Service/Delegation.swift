import Hashing
import PolicyCompiler
import SExpr
import SPKI

/// A delegation the owner of a vpxi signed and the registrar accepted (paper 4.2.3, flow
/// 3): `<owner, U2, A, no-propagate, V>` for one machine, with the owner's signature.
///
/// Its validity may cover the whole window of the grant it serves, not one epoch: in a
/// chain it follows the registrar's short-lived `<registrar, owner, A, propagate, E>`,
/// and reduction intersects the two, so one signature serves every epoch (see
/// `Docs/registrar.md`, "Flow 3"). Each epoch's issue (`EpochIssue.issue`) puts it where
/// the plan has the unsigned `<owner, U2>` cert it stands for.
public struct Delegation: Sendable {
    /// The machine of the vpxi it is for.
    public var machine: String
    public var cert: Cert
    /// `(sequence CERT SIGNATURE)`, as accepted.
    public var body: SExpr
    /// Lowercase hex SHA-256 of the cert's canonical bytes (what the signature covers).
    public var hash: String

    public init(machine: String, cert: Cert, body: SExpr) {
        self.machine = machine
        self.cert = cert
        self.body = body
        hash = Hex.encode(HashAlgorithm.sha256.digest(cert.signedBytes))
    }

    /// Reads a stored `(sequence CERT SIGNATURE)`.
    init(machine: String, stored body: SExpr) throws(RegistrarError) {
        guard body.head == "sequence", let first = body.tail.first else {
            throw RegistrarError(.internal, "a stored delegation is not `(sequence CERT SIGNATURE)`")
        }
        var warnings: [SPKIWarning] = []
        do {
            self.init(machine: machine, cert: try Cert(parsing: first, warnings: &warnings), body: body)
        } catch {
            throw RegistrarError(.internal, "a stored delegation does not parse: \(error.message)")
        }
    }

    /// The delegation that stands for the unsigned planned cert `planned` (a `user-user`
    /// cert on `machine`), if one does: same machine, issuer and subject; its tag within
    /// the planned one; propagate only where the plan has it; valid at some time the
    /// planned cert is. Of several (`delegations` oldest first), the newest that covers
    /// the planned cert's whole validity, else the newest: an owner who signs again (more
    /// rights, another validity) replaces what they signed before.
    static func standing(for planned: CertPlan.PlannedCert, machine: String, in delegations: [Delegation]) -> Delegation? {
        guard planned.flow == .userToUser, let plannedTag = planned.cert.tag else { return nil }
        let candidates = delegations.filter { delegation in
            guard delegation.machine == machine, let tag = delegation.cert.tag,
                  delegation.cert.issuer.principal.id == planned.issuer.key.principal.id,
                  delegation.cert.subject.principal?.id == planned.subject.key.principal.id,
                  !delegation.cert.propagate || planned.cert.propagate, plannedTag.includes(tag) else { return false }
            return !delegation.cert.validity.intersection(planned.cert.validity).isEmpty
        }
        return candidates.last { $0.cert.validity.includes(planned.cert.validity) } ?? candidates.last
    }

    var notAfter: Int64 { cert.validity.notAfter?.secondsSinceEpoch ?? .max }
    var notBefore: Int64 { cert.validity.notBefore?.secondsSinceEpoch ?? .min }

    /// As one of an epoch's issued certs, in place of `planned`.
    func issued(for planned: CertPlan.PlannedCert, machine: String) -> EpochIssue.IssuedCert {
        EpochIssue.IssuedCert(hash: hash, flow: planned.flow.rawValue, machine: machine, issuer: planned.issuer.name.description,
                              subject: planned.subject.name.description, body: body, signed: true, notAfter: notAfter)
    }
}

/// What a vpxi's policy lets its owner delegate to another user on one machine: the
/// grants `grant U2 via OWNER ...` on it, grouped as the planner groups them (by window),
/// each group's rights as the resource tag the planner puts in its cert.
struct DelegableGrant {
    var user: Int
    var window: TimeWindow
    var tag: Tag
    /// Whether U2 delegates in turn on the machine (the planned cert carries propagate).
    var propagate: Bool

    static func grants(_ compiled: VPXICompiler.Compiled, machine m: Int, owner: Int) -> [DelegableGrant] {
        let vpxi = compiled.model.vpxis[compiled.vpxi]
        let machineKey = compiled.ir.keys.machines[compiled.vpxi][m]
        var groups: [DelegableGrant] = []
        var rights: [[PolicyModel.Right]] = []
        for grant in vpxi.grants where grant.via == owner && grant.targets.contains(m) {
            if let index = groups.firstIndex(where: { $0.user == grant.user && $0.window == grant.window }) {
                rights[index] += grant.rights
            } else {
                let delegates = vpxi.grants.contains { $0.via == grant.user && $0.targets.contains(m) }
                groups.append(DelegableGrant(user: grant.user, window: grant.window, tag: .all, propagate: delegates))
                rights.append(grant.rights)
            }
        }
        for index in groups.indices {
            groups[index].tag = TagVocabulary.resourceTag(vpxi: vpxi.name, resource: machineKey, rights: TagVocabulary.grantTag(rights[index]))
        }
        return groups
    }
}
