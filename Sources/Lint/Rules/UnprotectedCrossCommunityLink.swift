import Diagnostics
import PolicyCompiler
import PolicyLanguage

/// A link whose ends are placed on hosts trusted by different communities, without ESP
/// protection: its traffic crosses between trust domains in the clear.
struct UnprotectedCrossCommunityLink: LintRule {
    static let descriptor = RuleDescriptor(
        id: "unprotected-cross-community-link", category: .security, defaultLevel: .warning,
        summary: "a link between hosts of different trust communities without `protect`", hasFixIt: true)

    func check(_ context: LintContext) -> [LintFinding] {
        var findings: [LintFinding] = []
        for (v, vpxi) in context.model.vpxis.enumerated() {
            var order: [SourceRange] = []
            var crossings: [SourceRange: (from: Int, to: Int, count: Int)] = [:]
            for link in vpxi.links where link.protection == nil || link.protection == PolicyCompiler.Protection.none {
                guard let a = context.host(vpxi: v, machine: link.from), let b = context.host(vpxi: v, machine: link.to),
                      Set(context.model.hosts[a].trustedBy) != Set(context.model.hosts[b].trustedBy) else { continue }
                if crossings[link.range] == nil { order.append(link.range) }
                crossings[link.range] = (link.from, link.to, (crossings[link.range]?.count ?? 0) + 1)
            }
            let decls = context.vpxiDecl(named: vpxi.name)?.links ?? []
            for range in order {
                let crossing = crossings[range]!
                let a = context.model.hosts[context.host(vpxi: v, machine: crossing.from)!]
                let b = context.model.hosts[context.host(vpxi: v, machine: crossing.to)!]
                let trust = { (host: PolicyModel.Host) in
                    host.trustedBy.isEmpty ? "no community" : LintContext.list(host.trustedBy.map { context.model.communities[$0].name })
                }
                var fixIts: [Diagnostic.FixIt] = []
                if let decl = decls.first(where: { $0.range == range }) {
                    if let property = decl.properties.first(.protect) {
                        fixIts.append(.replace(property.value.range, with: "aes-256-gcm", "protect the link with AES-256-GCM"))
                    } else if let body = decl.body {
                        fixIts.append(RuleSupport.insertion("protect aes-256-gcm ", at: body.end - 1, file: range.file, "protect the link with AES-256-GCM"))
                    } else {
                        fixIts.append(RuleSupport.insertion(" { protect aes-256-gcm }", at: range.end, file: range.file, "protect the link with AES-256-GCM"))
                    }
                }
                let pairs = crossing.count == 1 ? "" : " (and \(crossing.count - 1) more pairs)"
                findings.append(finding(
                    "link `\(vpxi.machines[crossing.from].name)` – `\(vpxi.machines[crossing.to].name)`\(pairs) joins hosts of different trust communities without protection",
                    at: range, label: "unprotected",
                    notes: [Diagnostic.Note("`\(a.name)` is trusted by \(trust(a)); `\(b.name)` by \(trust(b))")],
                    help: "add `protect aes-256-gcm` (or another ESP suite) to the link", fixIts: fixIts))
            }
        }
        return findings
    }
}
