import PolicyCompiler

/// A secondary user (`grant B via A`) whose clearance is below the vpxi's confidentiality:
/// the delegating user lets in someone the data is not meant for.
struct ClearanceBelowConfidentiality: LintRule {
    static let descriptor = RuleDescriptor(
        id: "clearance-below-confidentiality", category: .security, defaultLevel: .error,
        summary: "a secondary user whose clearance is below the vpxi's confidentiality")

    func check(_ context: LintContext) -> [LintFinding] {
        var findings: [LintFinding] = []
        for vpxi in context.model.vpxis {
            guard let level = vpxi.confidentiality else { continue }
            var reported = Set<Int>()
            for grant in vpxi.grants {
                guard let via = grant.via, reported.insert(grant.user).inserted else { continue }
                let user = context.model.users[grant.user]
                if let clearance = user.clearance, clearance >= level { continue }
                let range = context.grantDecl(grant, in: vpxi)?.grantee.range ?? grant.range
                let has = user.clearance.map { "clearance `\($0.rawValue)`" } ?? "no clearance"
                findings.append(finding(
                    "secondary user `\(user.name)` has \(has), below the `\(level.rawValue)` confidentiality of vpxi `\(vpxi.name)`",
                    at: range, label: "delegated by `\(context.model.users[via].name)`",
                    notes: [.init("the user is declared here", at: user.range)],
                    help: "give the user `clearance \(level.rawValue)` if they are cleared, or do not delegate rights on this vpxi to them"))
            }
        }
        return findings
    }
}
