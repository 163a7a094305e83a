import Diagnostics

/// The diagnostics of the front end, each with its stable code. The codes are
/// published: never renumber one; retire it and add a new one instead. Each has a
/// page `Docs/diagnostics/<code>.md` and a file `corpus/policies/err/<code>-<name>.vp`.
public enum SyntaxError: String, CaseIterable, Sendable {
    case unexpectedCharacter = "E0001"
    case unterminatedString = "E0002"
    case invalidEscape = "E0003"
    case invalidUTF8 = "E0004"
    case malformedNumber = "E0005"
    case invalidDateTime = "E0006"
    case emptyString = "E0007"
    case expectedDeclaration = "E0010"
    case expectedName = "E0011"
    case expectedOpenBrace = "E0012"
    case unclosedBlock = "E0013"
    case unknownProperty = "E0014"
    case misplacedProperty = "E0015"
    case duplicateProperty = "E0016"
    case unmatchedCloseBrace = "E0017"
    case expectedRangeOperator = "E0018"
    case expectedLinkArrow = "E0019"
    case expectedOn = "E0020"
    case expectedCanOrCannot = "E0021"
    case expectedExpect = "E0022"
    case expectedClosingDelimiter = "E0023"
    case expectedString = "E0024"
    case expectedNumber = "E0025"
    case expectedDateTime = "E0026"
    case missingUnit = "E0027"
    case unknownUnit = "E0028"
    case wrongUnit = "E0029"
    case invalidRange = "E0030"
    case rangeTooLarge = "E0031"
    case invalidClusterSize = "E0032"
    case expectedClusterSize = "E0033"
    case invalidLocator = "E0034"
    case invalidLocatorTemplate = "E0035"
    case templateWithoutRange = "E0036"
    case unknownHypervisor = "E0037"
    case unknownFunction = "E0038"
    case unknownProtection = "E0039"
    case unknownLevel = "E0040"
    case wrongBound = "E0041"
    case expectedValidity = "E0042"
    case nonPositiveDuration = "E0043"
    case unknownRequirement = "E0044"
    case missingKey = "E0045"
    case includeCycle = "E0046"
    case includeNotFound = "E0047"
    case unknownKeyFormat = "E0048"
    case outsideVPXI = "E0049"
    case missingOwner = "E0050"
    case expectedIndex = "E0051"
    case expectedRight = "E0052"
    case expectedLocator = "E0053"
    case invalidCount = "E0054"

    public var code: DiagnosticCode { DiagnosticCode(rawValue) }

    /// A short kebab-case name (used in file names and SARIF), e.g. `invalid-utf8`.
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
        case .unexpectedCharacter: return "a character that cannot start any token"
        case .unterminatedString: return "a string without its closing quote on the same line"
        case .invalidEscape: return "an unknown escape sequence in a string"
        case .invalidUTF8: return "bytes that are not valid UTF-8"
        case .malformedNumber: return "a number that is malformed or too large"
        case .invalidDateTime: return "a date-time that is not valid RFC 3339"
        case .emptyString: return "an empty string where a path, image or key is expected"
        case .expectedDeclaration: return "something other than a declaration at the top level"
        case .expectedName: return "a declaration without its name"
        case .expectedOpenBrace: return "a missing `{` after a declaration that needs a body"
        case .unclosedBlock: return "a `{` that is never closed"
        case .unknownProperty: return "an unknown word where a property is expected"
        case .misplacedProperty: return "a property that does not belong in this kind of block"
        case .duplicateProperty: return "a property given twice"
        case .unmatchedCloseBrace: return "a `}` without a matching `{`"
        case .expectedRangeOperator: return "a window without `..` between its bounds"
        case .expectedLinkArrow: return "a link without `<->` or `->` between its endpoints"
        case .expectedOn: return "a grant without `on` before its targets"
        case .expectedCanOrCannot: return "an expectation without `can` or `cannot`"
        case .expectedExpect: return "something other than `expect` in a test block"
        case .expectedClosingDelimiter: return "a `(` or `[` that is not closed"
        case .expectedString: return "a missing quoted string"
        case .expectedNumber: return "a missing number"
        case .expectedDateTime: return "a missing date-time"
        case .missingUnit: return "a quantity without its unit"
        case .unknownUnit: return "an unknown unit"
        case .wrongUnit: return "a unit of the wrong kind for the property"
        case .invalidRange: return "a range whose bounds are reversed or malformed"
        case .rangeTooLarge: return "a range that expands to too many names"
        case .invalidClusterSize: return "a cluster of size zero"
        case .expectedClusterSize: return "a cluster without its `[size]`"
        case .invalidLocator: return "a locator that is not an IPv4 or IPv6 address"
        case .invalidLocatorTemplate: return "a malformed `{...}` template in a locator"
        case .templateWithoutRange: return "a locator template in a host without a range"
        case .unknownHypervisor: return "an unknown hypervisor"
        case .unknownFunction: return "an unknown node function"
        case .unknownProtection: return "an unknown link protection suite"
        case .unknownLevel: return "an unknown confidentiality level"
        case .wrongBound: return "a bound in the wrong direction for its property"
        case .expectedValidity: return "a malformed `certificates valid ... renew every ...`"
        case .nonPositiveDuration: return "a duration of zero"
        case .unknownRequirement: return "an unknown requirement"
        case .missingKey: return "a user or registrar without a key"
        case .includeCycle: return "files that include each other"
        case .includeNotFound: return "an included file that cannot be read"
        case .unknownKeyFormat: return "an unknown key format"
        case .outsideVPXI: return "a node, cluster, link, grant or test outside a `vpxi`"
        case .missingOwner: return "a vpxi without an owner"
        case .expectedIndex: return "a malformed `[index]` after a node name"
        case .expectedRight: return "a grant or expectation without a right"
        case .expectedLocator: return "a `locator` without an address"
        case .invalidCount: return "a count that is not a positive whole number"
        }
    }

    /// The rule metadata for machine-readable outputs.
    public var rule: DiagnosticRule {
        DiagnosticRule(code: code, name: name, summary: summary, defaultSeverity: .error,
                       documentation: "\(Self.documentationDirectory)\(rawValue).md")
    }

    /// Where the pages of the codes are, relative to the repository root.
    public static let documentationDirectory = "Docs/diagnostics/"

    public static var rules: [DiagnosticRule] { allCases.map(\.rule) }
}
