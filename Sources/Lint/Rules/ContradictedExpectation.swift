import Diagnostics
import PolicyCompiler

/// A `test` expectation that the grants contradict, found from the grants alone (no keys
/// needed): `expect U can R on T` with no grant giving it, or `cannot` with one that does.
/// `spkic test` checks the same against the compiled chains.
struct ContradictedExpectation: LintRule {
    static let descriptor = RuleDescriptor(
        id: "contradicted-expectation", category: .correctness, defaultLevel: .error,
        summary: "a test expectation that the policy's grants contradict")

    func check(_ context: LintContext) -> [LintFinding] {
        var findings: [LintFinding] = []
        for vpxi in context.model.vpxis {
            for expectation in vpxi.expectations {
                let time = expectation.at ?? context.time
                let request = TagVocabulary.requestTag(expectation.right)
                let allowed = { (m: Int) in
                    vpxi.window.contains(time) && vpxi.grants.contains { grant in
                        grant.user == expectation.user && grant.targets.contains(m) && grant.window.contains(time)
                            && grant.rightsTag.includes(request)
                    }
                }
                let user = context.model.users[expectation.user].name
                let when = expectation.at == nil ? " at the time of linting (\(TimeWindow.format(time)))" : ""
                if expectation.allowed, let refused = expectation.targets.first(where: { !allowed($0) }) {
                    findings.append(finding("`\(user)` cannot `\(expectation.right)` on `\(vpxi.machines[refused].name)`\(when): no grant gives it",
                                            at: expectation.range, label: "contradicted by the grants",
                                            help: vpxi.window.contains(time) ? "add a grant, or change the expectation" : "the time is outside the vpxi's window \(vpxi.window)"))
                } else if !expectation.allowed, let granted = expectation.targets.first(where: allowed) {
                    let grant = vpxi.grants.first { $0.user == expectation.user && $0.targets.contains(granted) && $0.window.contains(time) && $0.rightsTag.includes(request) }
                    findings.append(finding("`\(user)` can `\(expectation.right)` on `\(vpxi.machines[granted].name)`\(when): a grant gives it",
                                            at: expectation.range, label: "contradicted by the grants",
                                            notes: grant.map { [Diagnostic.Note("the grant", at: $0.range)] } ?? [],
                                            help: "narrow the grant, or change the expectation"))
                }
            }
        }
        return findings
    }
}
