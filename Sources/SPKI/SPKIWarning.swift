/// Something accepted on input that deserves a word to the user (a truncated date).
/// Warnings never change the result.
public struct SPKIWarning: Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case truncatedDate = "W101"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code.rawValue)]" }
}
