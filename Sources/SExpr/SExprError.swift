/// A malformed S-expression input, with where it went wrong and why.
///
/// `code` is stable and may be matched on; `message` is for people and says what was
/// expected and what was found.
public struct SExprError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// The input holds no expression at all.
        case emptyInput = "S001"
        /// The input ended inside an expression (an open list, string or hint).
        case unexpectedEnd = "S002"
        /// A declared length is larger than what is left of the input.
        case lengthPastEnd = "S003"
        /// A length has a leading zero (`03:abc`).
        case leadingZeroLength = "S004"
        /// A length prefix is not followed by `:`, `"`, `#` or `|`.
        case badLength = "S005"
        /// A `)` with no open list.
        case unbalancedClose = "S006"
        /// A byte that cannot start or continue an expression here.
        case unexpectedCharacter = "S007"
        /// A `#hex#` string with a non-hex digit or an odd number of digits.
        case badHex = "S008"
        /// A `|base64|` or `{transport}` body that is not valid base64.
        case badBase64 = "S009"
        /// An unknown or incomplete backslash escape in a quoted string.
        case badEscape = "S010"
        /// Lists nested deeper than the configured limit.
        case depthExceeded = "S011"
        /// A string whose declared length differs from its actual length (`3"ab"`).
        case lengthMismatch = "S012"
        /// A display hint that is malformed or not followed by a string.
        case badHint = "S013"
        /// A transport `{...}` body that is not exactly one canonical expression.
        case badTransport = "S014"
        /// Advanced or transport syntax where only canonical form is allowed.
        case notCanonical = "S015"
        /// The input is larger than a document can address (4 GiB).
        case inputTooLarge = "S016"
    }

    public let code: Code
    /// Byte offset in the input, starting at 0.
    public let offset: Int
    /// Line, starting at 1.
    public let line: Int
    /// Column in bytes, starting at 1.
    public let column: Int
    /// What the parser expected, in words.
    public let expected: String
    /// What it found, in words.
    public let found: String
    /// The whole explanation.
    public let message: String

    public init(code: Code, offset: Int, line: Int, column: Int, expected: String, found: String, message: String) {
        self.code = code
        self.offset = offset
        self.line = line
        self.column = column
        self.expected = expected
        self.found = found
        self.message = message
    }

    /// `line:column: message (offset N)`.
    public var description: String {
        "\(line):\(column): \(message) (offset \(offset))"
    }
}
