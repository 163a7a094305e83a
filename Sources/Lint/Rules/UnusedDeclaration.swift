import Diagnostics
import PolicyCompiler
import PolicyLanguage

/// A community, registrar or user that nothing refers to: a leftover, or a typo that made
/// the intended reference point elsewhere. In a file that several linted policies include,
/// a declaration is used when any of them uses it.
struct UnusedDeclaration: LintRule {
    static let descriptor = RuleDescriptor(
        id: "unused-declaration", category: .correctness, defaultLevel: .warning,
        summary: "a community, registrar or user that nothing refers to", hasFixIt: true,
        sharedFiles: .everyIncluder)

    func check(_ context: LintContext) -> [LintFinding] {
        let model = context.model
        var communities = Set<Int>()
        var registrars = Set<Int>()
        var users = Set<Int>()
        for host in model.hosts {
            communities.formUnion(host.trustedBy)
            if let registration = host.registration { registrars.insert(registration.registrar) }
        }
        for user in model.users { communities.formUnion(user.communities) }
        for vpxi in model.vpxis {
            registrars.insert(vpxi.registrar)
            users.insert(vpxi.owner)
            communities.formUnion(vpxi.requirements.trustedBy)
            for machine in vpxi.machines { communities.formUnion(machine.requirements.trustedBy) }
            for grant in vpxi.grants {
                users.insert(grant.user)
                if let via = grant.via { users.insert(via) }
            }
            for expectation in vpxi.expectations { users.insert(expectation.user) }
        }
        var findings: [LintFinding] = []
        func report(_ kind: String, _ name: String, _ range: SourceRange, _ declaration: SourceRange?, _ help: String) {
            findings.append(finding("\(kind) `\(name)` is declared but never used", at: range, label: "unused", help: help,
                                    fixIts: [RuleSupport.deletion(of: declaration ?? range, in: context.sources, "remove the declaration")]))
        }
        for (index, community) in model.communities.enumerated() where !communities.contains(index) {
            report("community", community.name, community.range, context.communityDecl(named: community.name)?.range, "remove it, or use it: `trusted-by \(community.name)`, `member-of \(community.name)`, `require trusted-by \(community.name)`")
        }
        for (index, registrar) in model.registrars.enumerated() where !registrars.contains(index) {
            report("registrar", registrar.name, registrar.range, context.registrarDecl(named: registrar.name)?.range, "remove it, or register hosts with it (`registered-with \(registrar.name)`) or build a vpxi with it (`registrar \(registrar.name)`)")
        }
        for (index, user) in model.users.enumerated() where !users.contains(index) {
            report("user", user.name, user.range, context.userDecl(named: user.name)?.range, "remove it, or grant the user rights (`grant \(user.name) ...`)")
        }
        return findings
    }
}
