import Diagnostics
import PolicyCompiler
import PolicyLanguage

/// A host registration without `until`: the paper says infinite periods are not
/// recommended, and a registration that never ends cannot lapse when a host is lost.
struct UnboundedValidity: LintRule {
    static let descriptor = RuleDescriptor(
        id: "unbounded-validity", category: .security, defaultLevel: .warning,
        summary: "a host registration without an end (`registered-with R` without `until`)", hasFixIt: true)

    func check(_ context: LintContext) -> [LintFinding] {
        let lastEnd = context.model.vpxis.map(\.window.end).max()
        return RuleSupport.hostGroups(context).compactMap { decl, hosts in
            guard let host = hosts.first.map({ context.model.hosts[$0] }), let registration = host.registration,
                  registration.until == nil, let (property, value) = RuleSupport.registration(of: decl) else { return nil }
            let registrar = context.model.registrars[registration.registrar].name
            var fixIts: [Diagnostic.FixIt] = []
            if let lastEnd {
                let date = TimeWindow.format(lastEnd)
                fixIts.append(RuleSupport.insertion(" until \(date)", at: value.from?.range.end ?? value.registrar.range.end,
                                                    file: decl.range.file, "end the registration when the last vpxi ends"))
            }
            return finding("host `\(RuleSupport.name(of: decl, in: context))` is registered with `\(registrar)` for ever",
                           at: property.range, label: "no `until`",
                           help: "give the registration an end: `registered-with \(registrar) until DATE` (infinite periods are not recommended; renew the registration before it ends)",
                           fixIts: fixIts)
        }
    }
}
