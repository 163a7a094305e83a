import Diagnostics
import PolicyCompiler
import PolicyLanguage

/// A renewal period not comfortably below the lifetime: with `lifetime ≥ factor × renewal`
/// (2 by default), a certificate is still valid when one renewal is lost.
struct RenewalMargin: LintRule {
    static let descriptor = RuleDescriptor(
        id: "renewal-margin", category: .robustness, defaultLevel: .warning,
        summary: "a renewal period too close to the certificate lifetime to survive a lost renewal", hasFixIt: true)

    func check(_ context: LintContext) -> [LintFinding] {
        let factor = context.options.renewalFactor
        return context.model.vpxis.compactMap { vpxi in
            guard Double(vpxi.lifetime) < factor * Double(vpxi.renewal), let decl = context.vpxiDecl(named: vpxi.name),
                  let (property, lifetime) = RuleSupport.lifetime(of: decl) else { return nil }
            let target = max(60, Int64(Double(vpxi.lifetime) / factor) / 60 * 60)
            let text = DurationText.format(target)
            let fixIt: Diagnostic.FixIt
            if let renew = lifetime.renewEvery {
                fixIt = .replace(renew.range, with: text, "renew every \(text)")
            } else {
                fixIt = RuleSupport.insertion(" renew every \(text)", at: lifetime.valid.range.end, file: property.range.file, "renew every \(text)")
            }
            let factorText = factor == factor.rounded() ? String(Int(factor)) : String(factor)
            return finding("certificates of vpxi `\(vpxi.name)` are valid \(DurationText.format(vpxi.lifetime)) and renewed every \(DurationText.format(vpxi.renewal)): one lost renewal leaves the vpxi without valid certificates",
                           at: property.range, label: "lifetime under \(factorText) × renewal",
                           help: "renew at most every \(text), so that the lifetime is at least \(factorText) renewal periods", fixIts: [fixIt])
        }
    }
}
