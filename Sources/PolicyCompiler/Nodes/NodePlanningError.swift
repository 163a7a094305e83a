import Backends
import Diagnostics

/// Why the bundles of a policy could not be planned, built or written: a `BackendsError`
/// (its stable code says which, `B001`…), with the policy declaration it concerns when there
/// is one (a host without a key, a registrar without its private key), so that it can be
/// rendered as a diagnostic pointing at the policy.
public struct NodePlanningError: Error, Sendable, CustomStringConvertible {
    public let error: BackendsError
    /// The declaration in the policy that the error is about, when there is one.
    public let range: SourceRange?

    public init(_ error: BackendsError, at range: SourceRange? = nil) {
        self.error = error
        self.range = range
    }

    public init(_ code: BackendsError.Code, _ message: String, help: String? = nil, at range: SourceRange? = nil) {
        self.init(BackendsError(code, message, help: help), at: range)
    }

    public var description: String { error.description }

    /// The error as a diagnostic at its declaration, when it has one.
    public var diagnostic: Diagnostic? {
        guard let range else { return nil }
        return Diagnostic(code: DiagnosticCode(error.code.rawValue), severity: .error, message: error.message, range: range,
                          label: nil, notes: [], help: error.help, fixIts: [])
    }
}
