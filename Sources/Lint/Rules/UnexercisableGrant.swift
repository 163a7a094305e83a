import Diagnostics
import PolicyCompiler

/// A grant that can never be used: its window is over at the time of linting (while the
/// vpxi goes on), or its user belongs to no community that the hosts of its machines
/// trust (a host's `trusted-by` says whose members may use it).
struct UnexercisableGrant: LintRule {
    static let descriptor = RuleDescriptor(
        id: "unexercisable-grant", category: .correctness, defaultLevel: .warning,
        summary: "a grant that can never be exercised: its window is over, or its user is in no community its hosts trust")

    func check(_ context: LintContext) -> [LintFinding] {
        var findings: [LintFinding] = []
        for (v, vpxi) in context.model.vpxis.enumerated() {
            for grant in vpxi.grants {
                let user = context.model.users[grant.user]
                if grant.window.end <= context.time, vpxi.window.end > context.time {
                    findings.append(finding("the grant to user `\(user.name)` ended at \(TimeWindow.format(grant.window.end)), before the time of linting",
                                            at: grant.range, label: "over",
                                            help: "remove the grant, or move its `during` if it is still meant to be used"))
                    continue
                }
                let untrusted = grant.targets.filter { m in
                    guard let h = context.host(vpxi: v, machine: m) else { return false }
                    let host = context.model.hosts[h]
                    return !host.trustedBy.isEmpty && !user.communities.contains(where: host.trustedBy.contains)
                }
                guard let first = untrusted.first, let h = context.host(vpxi: v, machine: first) else { continue }
                let host = context.model.hosts[h]
                let member = user.communities.isEmpty ? "a member of no community" : "a member of \(LintContext.list(user.communities.map { context.model.communities[$0].name }))"
                findings.append(finding(
                    "user `\(user.name)` is \(member), and no host of \(RuleSupport.plural(untrusted.count, "machine")) of the grant trusts them",
                    at: grant.range, label: "cannot be exercised",
                    notes: [Diagnostic.Note("`\(vpxi.machines[first].name)` runs on `\(host.name)`, trusted by \(LintContext.list(host.trustedBy.map { context.model.communities[$0].name }))", at: host.range)],
                    help: "add `member-of \(context.model.communities[host.trustedBy[0]].name)` to the user, or add one of their communities to the hosts' `trusted-by`"))
            }
        }
        return findings
    }
}
