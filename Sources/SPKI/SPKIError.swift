/// Why an SPKI object could not be read, built or checked.
///
/// `code` is stable and may be matched on. `message` says what went wrong and where, in
/// lower case without a final period, with user input in backticks; `help` says how to fix
/// it. `field` names the cert, ACL or tag field concerned, when there is one.
public struct SPKIError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        // Structure
        case unexpectedObject = "P001"
        case missingField = "P002"
        case repeatedField = "P003"
        case fieldOutOfOrder = "P004"
        case unknownField = "P005"
        case malformedField = "P006"

        // Values
        case badDate = "P010"
        case badPrincipal = "P011"
        case badSubject = "P012"
        case badName = "P013"
        case badThreshold = "P014"
        case badValidity = "P015"

        // Tags
        case badTag = "P020"
        case badRange = "P021"
        case badRangeBound = "P022"
        case badPrefix = "P023"

        // Sequences and signatures
        case badSequence = "P030"
        case badSignature = "P031"
        case badKey = "P032"
        case unsupportedAlgorithm = "P033"
    }

    public let code: Code
    public let message: String
    public let help: String?
    /// The field concerned (`issuer`, `tag`, `not-after`, ...), when there is one.
    public let field: String?

    public init(_ code: Code, _ message: String, field: String? = nil, help: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.help = help
    }

    /// `message [Pnnn]` followed by `help: ...` on its own line when there is help.
    public var description: String {
        var text = "\(message) [\(code.rawValue)]"
        if let help { text += "\nhelp: \(help)" }
        return text
    }
}
