/// Something accepted on input that deserves a word to the user (a truncated date, a
/// legacy hash). Warnings never change the result.
public struct SPKIWarning: Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case truncatedDate = "W101"
        case legacyHash = "W102"
        case subjectWrapped = "W103"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code.rawValue)]" }
}
