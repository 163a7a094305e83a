/// The exit statuses shared by every command of the toolkit.
public enum ExitStatus: Int32, Sendable {
    /// Success.
    case success = 0
    /// The input was understood and the answer is no: lint errors, an invalid
    /// signature, no authorization.
    case refused = 1
    /// Bad input or usage: an unreadable file, a syntax error, a malformed key.
    case badInput = 2
    /// An internal error: a bug in the toolkit.
    case internalError = 3
}

/// An error a command reports to its user before exiting with `status`.
/// `message` is the whole text (without the leading `error: `).
public struct CommandFailure: Error, Sendable, CustomStringConvertible {
    public let status: ExitStatus
    public let message: String

    public init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }
}
