import PolicyCompiler
import SExpr

/// What every epoch's issue of one compiled vpxi shares (`EpochIssue.issue`): its machines'
/// names and each machine's ACL as the chain templates carry it. Kept with the compiled vpxi when it is kept
/// between renewals (`VPXICompiler.Compiled.derived`), so that an epoch only makes what it
/// changes; made for the one issue otherwise. The ACLs are the plan's, which the planner's
/// template fixes for a compiled vpxi (`CertPlanner.Template`): the same every epoch.
struct IssueParts: Sendable {
    /// By machine index of the vpxi.
    let machines: [String]
    /// By machine index: the first of the plan's ACLs for it.
    let acls: [Int: SExpr]

    init(_ compiled: VPXICompiler.Compiled, plan: CertPlan) {
        machines = compiled.model.vpxis[compiled.vpxi].machines.map(\.name)
        var acls: [Int: SExpr] = [:]
        for planned in plan.acls where acls[planned.machine] == nil { acls[planned.machine] = planned.acl.sexp }
        self.acls = acls
    }

    /// The ACL of machine `m` in a chain template (`(acl)` when the plan has none).
    func acl(_ m: Int) -> SExpr { acls[m] ?? ["acl"] }

    /// Those of `compiled` (with `plan`, one of its epochs' plans): kept with it when it is
    /// kept.
    static func of(_ compiled: VPXICompiler.Compiled, plan: CertPlan) -> IssueParts {
        guard let derived = compiled.derived else { return IssueParts(compiled, plan: plan) }
        return derived.value { IssueParts(compiled, plan: plan) }
    }
}
