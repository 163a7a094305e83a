import Diagnostics
import PolicyCompiler

/// A vpxi placed on several sites whose hosts are all registered with one registrar: that
/// registrar is a single point of failure for every site.
struct SingleRegistrar: LintRule {
    static let descriptor = RuleDescriptor(
        id: "single-registrar", category: .robustness, defaultLevel: .info,
        summary: "a vpxi spanning several sites whose hosts all depend on one registrar")

    func check(_ context: LintContext) -> [LintFinding] {
        context.model.vpxis.indices.compactMap { v in
            let hosts = context.hosts(ofVPXI: v).map { context.model.hosts[$0] }
            let sites = Set(hosts.compactMap(\.site))
            let registrars = Set(hosts.compactMap { $0.registration?.registrar })
            guard sites.count > 1, registrars.count == 1, let registrar = registrars.first else { return nil }
            let vpxi = context.model.vpxis[v]
            let name = context.model.registrars[registrar].name
            return finding("vpxi `\(vpxi.name)` spans \(sites.count) sites (\(LintContext.list(sites.sorted()))) but depends on one registrar, `\(name)`",
                           at: vpxi.nameRange, label: "one registrar for \(sites.count) sites",
                           help: "register each site's hosts with a registrar of its own (`registered-with`), so that losing one registrar does not stop every site")
        }
    }
}
