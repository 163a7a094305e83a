/// A private key in the key store that its group or others can read: anyone with an
/// account on the machine can sign as the principal.
struct PrivateKeyPermissions: LintRule {
    static let descriptor = RuleDescriptor(
        id: "private-key-permissions", category: .security, defaultLevel: .error,
        summary: "a private key file in the key store that group or others can read")

    func check(_ context: LintContext) -> [LintFinding] {
        (context.keyStore?.entries ?? []).filter { $0.isPrivate && $0.mode & 0o077 != 0 }.map { entry in
            let mode = String(entry.mode, radix: 8)
            return finding("the private key of \(entry.name.kind) `\(entry.name)` (`\(entry.path)`) can be read by group or others (mode 0\(mode))",
                           at: entry.declaration, label: "private key readable by others",
                           help: "`chmod 600 \(entry.path)`; private keys are 0600, owned by the account that signs")
        }
    }
}
