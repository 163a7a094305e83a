import PolicyCompiler
import PolicyLanguage

/// `*` (every right) granted to a user: the user gets rights nobody listed, including
/// those added later.
struct WildcardGrant: LintRule {
    static let descriptor = RuleDescriptor(
        id: "wildcard-grant", category: .security, defaultLevel: .warning,
        summary: "a grant of `*` (every right) to a user")

    func check(_ context: LintContext) -> [LintFinding] {
        var findings: [LintFinding] = []
        for file in context.files {
            for vpxi in file.policy.vpxis {
                for grant in vpxi.grants {
                    for right in grant.rights where right.isWildcard {
                        findings.append(finding("user `\(grant.grantee.text)` is granted `*`, every right, in vpxi `\(vpxi.name.text)`",
                                                at: right.range, label: "every right",
                                                help: "name the rights the user needs, e.g. `ssh, console, file(read, \"/data\")`"))
                    }
                }
            }
        }
        return findings
    }
}
