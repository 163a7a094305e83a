import Diagnostics

/// Every rule, in documentation order, and the descriptors of the findings the linter
/// makes itself (about suppressions).
public enum LintRegistry {
    public static let rules: [any LintRule] = [
        // security
        UnboundedValidity(), LifetimeTooLong(), OpenDelegation(), WildcardGrant(), WeakRSAKey(), WeakHash(),
        UnprotectedCrossCommunityLink(), ClearanceBelowConfidentiality(), PrivateKeyPermissions(), ExpiringSoon(),
        HiddenCharacters(),
        // robustness
        RenewalMargin(), WindowExceedsRegistration(), PoolShare(), SingleRegistrar(),
        // correctness
        UnexercisableGrant(), SubsumedGrant(), UnusedDeclaration(), ContradictedExpectation(),
        // style
        Naming(), FormatDrift(),
    ]

    /// `# spkic:ignore` comments that suppress nothing.
    public static let unusedSuppression = RuleDescriptor(
        id: "unused-suppression", category: .correctness, defaultLevel: .warning,
        summary: "a `# spkic:ignore` comment that suppresses nothing", hasFixIt: true)

    /// `# spkic:ignore` comments without a known rule or without a reason.
    public static let invalidSuppression = RuleDescriptor(
        id: "invalid-suppression", category: .correctness, defaultLevel: .warning,
        summary: "a `# spkic:ignore` comment without a known rule or without a reason")

    /// Every descriptor, rules first.
    public static let descriptors: [RuleDescriptor] = rules.map(\.descriptor) + [unusedSuppression, invalidSuppression]

    public static func descriptor(_ id: String) -> RuleDescriptor? { descriptors.first { $0.id == id } }

    /// The SARIF/JSON metadata of every rule.
    public static var diagnosticRules: [DiagnosticRule] { descriptors.map(\.rule) }

    /// Each rule's page, for the JSON renderer.
    public static var documentation: [DiagnosticCode: String] {
        Dictionary(uniqueKeysWithValues: descriptors.map { ($0.code, $0.documentationPath) })
    }
}
