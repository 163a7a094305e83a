import SPKI

/// Plans the certificates of the paper's three flows for a renewal epoch.
///
/// For each machine R of a vpxi V, placed on a host registered with registrar H2, where V
/// is built by registrar H1, and each user U granted rights on R:
///
/// 1. `<R, H2, A_R, propagate, E>`, where A_R is V's tag with every right any grant gives
///    on R, and E the epoch's validity;
/// 2. `<H2, H1, A_R, propagate, E>` when H2 is not H1 (several registrars);
/// 3. `<H1, U, A_U, E ∩ W>` for a grant to U (without `via`), A_U the tag of U's rights on R
///    and W the grant's window; it carries propagate when U delegates rights on R;
/// 4. `<U1, U2, A_U2, E ∩ W>` for a grant to U2 `via` U1 (U1 signs it), propagate again
///    only when U2 delegates in turn.
///
/// Grants of one user on one machine with the same delegating user and window share a
/// cert. Each user's chain to R holds every cert on the paths from R's to the user's.
public struct CertPlanner: Sendable {
    let ir: InfrastructureIR

    public init(ir: InfrastructureIR) {
        self.ir = ir
    }

    /// The plan for every vpxi at `time`: each vpxi in the epoch in force then (the first
    /// one before its window); none for a vpxi whose window ended before `time`.
    /// The vpxis in `carried` are left out (their part of the output is carried over).
    public func plan(at time: Int64, carried: Set<Int> = []) -> CertPlan {
        let vpxis = ir.model.vpxis
        let epochs = vpxis.map { $0.window.end < time ? nil : $0.schedule.epoch(at: time) }
        // Each vpxi is planned on its own (in parallel), then the plans are joined.
        let parts = Parallel.map(vpxis.count, chunk: 1) { range in
            range.map { v -> CertPlan in
                var part = CertPlan()
                guard !carried.contains(v) else { return part }
                let planned = self.template(vpxi: v)
                part.acls = planned.acls
                if let epoch = epochs[v] { planned.add(epoch: epoch, to: &part) }
                return part
            }
        }.flatMap { $0 }
        var plan = CertPlan()
        plan.epochs = epochs
        plan.carried = carried
        for part in parts {
            let offset = plan.certs.count
            plan.certs += part.certs
            plan.chains += part.chains.map { .init(user: $0.user, vpxi: $0.vpxi, machine: $0.machine, certs: $0.certs.map { $0 + offset }) }
            plan.acls += part.acls
        }
        return plan
    }

    /// The plan of one vpxi for one epoch (for policy tests at other times); of some of
    /// its machines only when `machines` is given (each machine's certs and chains depend
    /// only on the grants on it).
    public func plan(vpxi v: Int, epoch: RenewalSchedule.Epoch, machines: Set<Int>? = nil) -> CertPlan {
        plan(template(vpxi: v), epoch: epoch, machines: machines)
    }

    /// `(acl (entry R (propagate) (tag (*))))`: the machine trusts its own key.
    public func acl(vpxi: Int, machine: Int) -> ACL {
        ACL(entries: [ACL.Entry(subject: .principal(ir.keys.machines[vpxi][machine].principal), propagate: true, tag: .all)])
    }

    /// Grants of one user on one machine that share a cert.
    struct GroupKey: Hashable {
        let user: Int
        let via: Int?
        let window: TimeWindow
    }

    /// Appends the certs that reach `user`: those of the users who delegate to them first.
    static func collect(_ user: Int, byUser: [Int: [(cert: Int, via: Int?)]], into chain: inout [Int], visiting: inout Set<Int>) {
        guard visiting.insert(user).inserted else { return }
        for (index, via) in byUser[user] ?? [] {
            if let via { collect(via, byUser: byUser, into: &chain, visiting: &visiting) }
            if !chain.contains(index) { chain.append(index) }
        }
    }
}
