import Diagnostics
import PolicyCompiler
import PolicyLanguage

/// A certificate lifetime over the configured maximum (`max-lifetime`, 72h by default):
/// a stolen certificate stays usable for its whole lifetime.
struct LifetimeTooLong: LintRule {
    static let descriptor = RuleDescriptor(
        id: "lifetime-too-long", category: .security, defaultLevel: .warning,
        summary: "certificates valid for longer than the configured maximum", hasFixIt: true)

    func check(_ context: LintContext) -> [LintFinding] {
        let maximum = context.options.maxLifetime
        return context.model.vpxis.compactMap { vpxi in
            guard vpxi.lifetime > maximum, let decl = context.vpxiDecl(named: vpxi.name),
                  let (_, lifetime) = RuleSupport.lifetime(of: decl) else { return nil }
            let limit = DurationText.format(maximum)
            // Shorten the lifetime; a renewal period that would then exceed it is halved
            // from the new lifetime (a renewal left implicit follows the lifetime).
            var edits = [Diagnostic.TextEdit(range: lifetime.valid.range, replacement: limit)]
            if let renew = lifetime.renewEvery, vpxi.renewal > maximum {
                edits.append(Diagnostic.TextEdit(range: renew.range, replacement: DurationText.format(max(60, maximum / 2 / 60 * 60))))
            }
            let fixIts = [Diagnostic.FixIt("shorten the lifetime to \(limit)", edits: edits)]
            return finding("certificates of vpxi `\(vpxi.name)` are valid \(DurationText.format(vpxi.lifetime)), longer than the maximum of \(limit)",
                           at: lifetime.valid.range, label: "over \(limit)",
                           help: "shorten the lifetime (and renew more often): a stolen certificate stays usable until it expires; or raise `max-lifetime` in the lint configuration",
                           fixIts: fixIts)
        }
    }
}
