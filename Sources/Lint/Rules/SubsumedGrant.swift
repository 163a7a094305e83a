import Diagnostics
import PolicyCompiler

/// A grant that another grant of the same vpxi already covers: same user, same `via`,
/// at least the same machines, window and rights. It adds nothing, and hides what the
/// author meant to change.
struct SubsumedGrant: LintRule {
    static let descriptor = RuleDescriptor(
        id: "subsumed-grant", category: .correctness, defaultLevel: .warning,
        summary: "a grant that another grant to the same user already covers", hasFixIt: true)

    func check(_ context: LintContext) -> [LintFinding] {
        var findings: [LintFinding] = []
        for vpxi in context.model.vpxis {
            let grants = vpxi.grants
            for (j, inner) in grants.enumerated() {
                let cover = grants.indices.first { i in
                    let outer = grants[i]
                    guard i != j, outer.user == inner.user, outer.via == inner.via, outer.window.includes(inner.window),
                          Set(outer.targets).isSuperset(of: inner.targets), outer.rightsTag.includes(inner.rightsTag) else { return false }
                    // Two equal grants: report the second only.
                    let equal = inner.window.includes(outer.window) && Set(inner.targets) == Set(outer.targets) && inner.rightsTag.includes(outer.rightsTag)
                    return !equal || i < j
                }
                guard let i = cover else { continue }
                let user = context.model.users[inner.user].name
                findings.append(finding("this grant to user `\(user)` adds nothing: the grant at \(context.describe(grants[i].range)) already gives it",
                                        at: inner.range, label: "subsumed",
                                        notes: [Diagnostic.Note("the covering grant", at: grants[i].range)],
                                        help: "remove this grant, or change it if it was meant to give something else",
                                        fixIts: [RuleSupport.deletion(of: inner.range, in: context.sources, "remove the subsumed grant")]))
            }
        }
        return findings
    }
}
