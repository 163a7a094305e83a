/// Every refusal and failure of the registrar, as a value: a stable code (`R001`...), the
/// HTTP status it is answered with, what went wrong, and how to fix it.
public struct RegistrarError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// The body is not one well-formed S-expression of the expected shape.
        case malformed = "R001"
        /// The request carries no signature.
        case unsigned = "R002"
        /// The signature does not verify, or is not by the key it names.
        case badSignature = "R003"
        /// The request's time is outside the accepted skew.
        case stale = "R004"
        /// The nonce was already used.
        case replayed = "R005"
        /// The body is larger than the limit.
        case tooLarge = "R006"
        /// The signer is not a registered user (or operator, or host).
        case unknownRequester = "R007"
        /// The requester may not do this (not the owner, clearance too low...).
        case forbidden = "R008"
        /// Enrollment of an unknown host without a valid token or operator approval.
        case enrollmentRefused = "R009"
        /// A resource certificate does not verify or does not name this registrar.
        case badResourceCert = "R010"
        /// The vpxi fragment does not compile.
        case policyError = "R011"
        /// Not enough free resources in the pool.
        case poolExhausted = "R012"
        /// No such vpxi, host or user.
        case notFound = "R013"
        /// The vpxi name is taken.
        case conflict = "R014"
        /// An owner's delegation is not the one the registrar asked for (issuer, subject,
        /// tag, propagate or validity).
        case badDelegation = "R015"
        /// The database failed.
        case storage = "R020"
        /// The server cannot listen where it was told (an unknown address, a port in
        /// use or reserved).
        case listen = "R021"
        /// A bug.
        case `internal` = "R030"
    }

    public let code: Code
    public let message: String
    public let help: String?

    public init(_ code: Code, _ message: String, help: String? = nil) {
        self.code = code
        self.message = message
        self.help = help
    }

    public static func storage(_ message: String) -> RegistrarError {
        RegistrarError(.storage, message, help: "check the database connection and the registrar's log")
    }

    /// The HTTP status of the answer.
    public var status: Int {
        switch code {
        case .malformed, .policyError: return 400
        case .unsigned, .badSignature, .stale, .unknownRequester: return 401
        case .forbidden, .enrollmentRefused, .badResourceCert, .badDelegation: return 403
        case .notFound: return 404
        case .replayed, .conflict, .poolExhausted: return 409
        case .tooLarge: return 413
        case .storage: return 503
        case .internal, .listen: return 500
        }
    }

    public var description: String {
        "error[\(code.rawValue)]: \(message)" + (help.map { "\n  = help: \($0)" } ?? "")
    }
}
