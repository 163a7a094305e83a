import Diagnostics
import PolicyCompiler

/// A key whose algorithm names SHA-1 or MD5 (`rsa-pkcs1-sha1`, `rsa-pkcs1-md5`): whatever
/// it signs from now on would carry a broken hash.
struct WeakHash: LintRule {
    static let descriptor = RuleDescriptor(
        id: "weak-hash", category: .security, defaultLevel: .error,
        summary: "a key that names a SHA-1 or MD5 signature algorithm, in the policy or in the key store")

    static let legacy: [String: String] = ["rsa-pkcs1-sha1": "SHA-1", "rsa-pkcs1-md5": "MD5"]

    func check(_ context: LintContext) -> [LintFinding] {
        var findings: [LintFinding] = []
        let principals = RuleSupport.declaredKeys(context)
        for principal in principals {
            guard principal.key.principal.sexp.head == "public-key", let algorithm = principal.key.principal.sexp.tail.first?.head,
                  let hash = Self.legacy[algorithm] else { continue }
            findings.append(finding("the key of \(principal.kind) `\(principal.name)` names `\(algorithm)`: its signatures would use \(hash)",
                                    at: principal.range, label: hash,
                                    help: "write the key with `rsa-pkcs1-sha256` (`spki key convert`); \(hash) is accepted only to verify old objects"))
        }
        for entry in context.keyStore?.entries ?? [] {
            guard let hash = Self.legacy[entry.algorithm] else { continue }
            findings.append(finding("the key store's key for \(entry.name.kind) `\(entry.name)` (`\(entry.path)`) names `\(entry.algorithm)`: what it signs would use \(hash)",
                                    at: entry.declaration, label: "\(hash) in the key store",
                                    help: "convert `\(entry.path)` to `rsa-pkcs1-sha256` (`spki key convert`)"))
        }
        return findings
    }
}
