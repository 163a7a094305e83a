import Diagnostics
import PolicyCompiler
import PolicyLanguage

/// A vpxi window that outlasts the registration of hosts it could otherwise use: those
/// hosts are registered when the window starts but lapse before it ends, so the vpxi
/// cannot run on them (and shrinks to the rest of the pool).
struct WindowExceedsRegistration: LintRule {
    static let descriptor = RuleDescriptor(
        id: "window-exceeds-registration", category: .robustness, defaultLevel: .warning,
        summary: "a vpxi window longer than the registration of hosts that meet its requirements")

    func check(_ context: LintContext) -> [LintFinding] {
        var findings: [LintFinding] = []
        let groups = RuleSupport.hostGroups(context)
        for vpxi in context.model.vpxis {
            guard let window = context.vpxiDecl(named: vpxi.name)?.properties.first(.window) else { continue }
            for (decl, hosts) in groups {
                let host = context.model.hosts[hosts[0]]
                guard let registration = host.registration, let until = registration.until,
                      until < vpxi.window.end, until > vpxi.window.start, (registration.from ?? .min) <= vpxi.window.start,
                      Self.meets(host, vpxi.requirements) else { continue }
                let name = RuleSupport.name(of: decl, in: context)
                let untilRange = RuleSupport.registration(of: decl)?.value.until?.range ?? decl.range
                findings.append(finding(
                    "the window of vpxi `\(vpxi.name)` ends \(RuleSupport.span(vpxi.window.end - until)) after the registration of \(RuleSupport.plural(hosts.count, "host")) it could use (`\(name)`)",
                    at: window.value.range, label: "ends \(TimeWindow.format(vpxi.window.end))",
                    notes: [Diagnostic.Note("the registration ends \(TimeWindow.format(until))", at: untilRange)],
                    help: "renew the hosts' registration past the window, or end the window earlier"))
            }
        }
        return findings
    }

    static func meets(_ host: PolicyModel.Host, _ requirements: PolicyModel.Requirements) -> Bool {
        requirements.trustedBy.allSatisfy(host.trustedBy.contains)
            && (requirements.hypervisors.isEmpty || host.hypervisor.map(requirements.hypervisors.contains) == true)
            && (requirements.sites.isEmpty || host.site.map(requirements.sites.contains) == true)
    }
}
