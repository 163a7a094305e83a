import Diagnostics
import PolicyCompiler
import PolicyLanguage

/// A host registration, or a vpxi's last certificates, that end within the configured
/// horizon (`expiry-horizon`, 30 days by default) of the time of linting: things that
/// would otherwise stop working silently.
struct ExpiringSoon: LintRule {
    static let descriptor = RuleDescriptor(
        id: "expiring-soon", category: .security, defaultLevel: .warning,
        summary: "a host registration or a vpxi's certificates that end within the configured horizon")

    func check(_ context: LintContext) -> [LintFinding] {
        let now = context.time
        let horizon = context.options.expiryHorizon
        var findings: [LintFinding] = []
        for (decl, hosts) in RuleSupport.hostGroups(context) {
            guard let until = context.model.hosts[hosts[0]].registration?.until, until - now <= horizon,
                  let (_, value) = RuleSupport.registration(of: decl), let untilRange = value.until?.range else { continue }
            let name = RuleSupport.name(of: decl, in: context)
            let registrar = value.registrar.text
            let when = until <= now ? "ended \(RuleSupport.span(now - until)) ago" : "ends in \(RuleSupport.span(until - now))"
            findings.append(finding("the registration of host `\(name)` with `\(registrar)` \(when) (\(TimeWindow.format(until)))",
                                    at: untilRange, label: until <= now ? "expired" : "expires soon",
                                    help: "renew the registration with `\(registrar)` and move `until` later; vpxis cannot be placed on a host whose registration does not cover their window"))
        }
        for vpxi in context.model.vpxis where vpxi.window.end > now && vpxi.window.end - now <= horizon {
            guard let window = context.vpxiDecl(named: vpxi.name)?.properties.first(.window) else { continue }
            findings.append(finding("the certificates of vpxi `\(vpxi.name)` stop in \(RuleSupport.span(vpxi.window.end - now)), at the end of its window (\(TimeWindow.format(vpxi.window.end)))",
                                    at: window.value.range, label: "last renewal ends here",
                                    help: "extend the window if the work goes on; nothing is renewed after it"))
        }
        return findings
    }
}
