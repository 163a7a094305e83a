import Diagnostics
import PolicyLanguage

/// The diagnostics of the compiler (semantic analysis, placement, policy tests), each
/// with its stable code. The front end's codes are E0001–E0054 (`SyntaxError`); these
/// start at E0100. Published codes are never renumbered. Each has a page
/// `Docs/diagnostics/<code>.md` and a file `corpus/policies/err/<code>-<name>.vp`.
public enum SemanticError: String, CaseIterable, Sendable {
    case unknownName = "E0100"
    case duplicateName = "E0101"
    case wrongKindOfName = "E0102"
    case unknownNode = "E0103"
    case indexOutOfRange = "E0104"
    case keyNotReadable = "E0105"
    case invalidKey = "E0106"
    case duplicateKey = "E0107"
    case keyCannotSign = "E0108"
    case emptyWindow = "E0109"
    case lifetimeShorterThanRenewal = "E0110"
    case grantOutsideWindow = "E0111"
    case missingWindow = "E0112"
    case missingLifetime = "E0113"
    case missingRegistrar = "E0114"
    case userNotInCommunity = "E0115"
    case delegationCycle = "E0116"
    case delegationBeyondGrant = "E0117"
    case selfLink = "E0118"
    case noEligibleHost = "E0120"
    case poolExhausted = "E0121"
    case costExceeded = "E0122"
    case expectationFailed = "E0130"
    case windowEnded = "W0131"

    public var code: DiagnosticCode { DiagnosticCode(rawValue) }

    public var severity: Severity { self == .windowEnded ? .warning : .error }

    /// A short kebab-case name (file names, SARIF), e.g. `unknown-name`.
    public var name: String {
        var out = ""
        var previousIsLowerOrDigit = false
        for character in String(describing: self) {
            if character.isUppercase, previousIsLowerOrDigit { out += "-" }
            out += character.lowercased()
            previousIsLowerOrDigit = character.isLowercase || character.isNumber
        }
        return out
    }

    /// One line saying what the code reports.
    public var summary: String {
        switch self {
        case .unknownName: return "a name that is not declared"
        case .duplicateName: return "a name declared twice"
        case .wrongKindOfName: return "a name of another kind than the place expects (a registrar where a user belongs)"
        case .unknownNode: return "a link, grant or test that names a node or cluster the vpxi does not declare"
        case .indexOutOfRange: return "a cluster index outside the cluster, or an index on a node"
        case .keyNotReadable: return "a key file that cannot be read"
        case .invalidKey: return "a key that is malformed, of an unsupported type, or not in the declared format"
        case .duplicateKey: return "two principals with the same public key"
        case .keyCannotSign: return "a principal that must sign certificates but whose key cannot"
        case .emptyWindow: return "a window, `during` or registration that ends before it starts"
        case .lifetimeShorterThanRenewal: return "a certificate lifetime shorter than the renewal period"
        case .grantOutsideWindow: return "a grant's `during` that is not inside the vpxi's window"
        case .missingWindow: return "a vpxi without a window"
        case .missingLifetime: return "a vpxi without `certificates valid ...`"
        case .missingRegistrar: return "a vpxi whose registrar cannot be chosen"
        case .userNotInCommunity: return "a grant to a user who is not in the community the vpxi requires"
        case .delegationCycle: return "`via` delegations that form a cycle"
        case .delegationBeyondGrant: return "a `via` grant that gives more than the delegating user holds"
        case .selfLink: return "a link whose two ends are the same machine, so that it links nothing"
        case .noEligibleHost: return "a machine that no host of the pool can ever hold"
        case .poolExhausted: return "a machine for which the eligible hosts have no capacity left"
        case .costExceeded: return "a placement that costs more than the vpxi's `max-cost`"
        case .expectationFailed: return "a `test` expectation that the compiled chains contradict"
        case .windowEnded: return "a vpxi whose window ended before the compilation time"
        }
    }

    public var rule: DiagnosticRule {
        DiagnosticRule(code: code, name: name, summary: summary, defaultSeverity: severity,
                       documentation: "\(SyntaxError.documentationDirectory)\(rawValue).md")
    }

    public static var rules: [DiagnosticRule] { allCases.map(\.rule) }

    /// A diagnostic of this kind.
    func diagnostic(_ message: String, at range: SourceRange, label: String? = nil, notes: [Diagnostic.Note] = [],
                    help: String?, fixIts: [Diagnostic.FixIt] = []) -> Diagnostic {
        Diagnostic(code: code, severity: severity, message: message, range: range, label: label, notes: notes,
                   help: help, fixIts: fixIts)
    }
}
