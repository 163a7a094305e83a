import Diagnostics

/// How a rule's findings are reported: as errors (exit 1), warnings (exit 1 under
/// `--strict`), information, or not at all.
public enum LintLevel: String, Sendable, Hashable, CaseIterable {
    case error, warning, info, off

    /// The diagnostic severity; nil for `off`.
    public var severity: Severity? {
        switch self {
        case .error: return .error
        case .warning: return .warning
        case .info: return .info
        case .off: return nil
        }
    }
}

/// What a rule protects.
public enum LintCategory: String, Sendable, Hashable, CaseIterable {
    /// Confidentiality and authority: what an attacker or a mistake could exploit.
    case security
    /// What keeps running when something fails: renewals, registrations, capacity.
    case robustness
    /// Policy text that cannot mean what it says: dead grants, contradictions.
    case correctness
    /// How the policy reads.
    case style
}
