import PolicyCompiler

/// An RSA key under 2048 bits, in the policy or in the key store: factorable by a
/// determined attacker, and refused by current verifiers.
struct WeakRSAKey: LintRule {
    static let descriptor = RuleDescriptor(
        id: "weak-rsa-key", category: .security, defaultLevel: .error,
        summary: "an RSA key under 2048 bits, in the policy or in the key store")

    func check(_ context: LintContext) -> [LintFinding] {
        var findings: [LintFinding] = []
        var reported = Set<String>()
        let principals = RuleSupport.declaredKeys(context)
        for principal in principals {
            guard let rsa = principal.key.rsa, rsa.bitLength < 2048 else { continue }
            reported.insert(principal.name)
            findings.append(finding("the key of \(principal.kind) `\(principal.name)` is RSA-\(rsa.bitLength), under 2048 bits",
                                    at: principal.range, label: "RSA-\(rsa.bitLength)",
                                    help: "generate an RSA key of at least 2048 bits (`spki keygen --bits 3072`) and declare its public half"))
        }
        for entry in context.keyStore?.entries ?? [] where entry.bits < 2048 && !reported.contains(entry.name.storePath) {
            reported.insert(entry.name.storePath)
            findings.append(finding("the key store's key for \(entry.name.kind) `\(entry.name)` (`\(entry.path)`) is RSA-\(entry.bits), under 2048 bits",
                                    at: entry.declaration, label: "RSA-\(entry.bits) in the key store",
                                    help: "replace `\(entry.path)` with an RSA key of at least 2048 bits (`spki keygen --bits 3072`)"))
        }
        return findings
    }
}

import Diagnostics
