/// Why an RSA operation, a key check or a key decoding failed.
///
/// `code` is stable and may be matched on. `message` says what went wrong and where, in
/// lower case without a final period; `help` says how to fix it. Neither ever contains key
/// material: only sizes, field names, offsets and format words.
public struct RSAError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        // Key parameters
        case exponentTooSmall = "R001"
        case exponentEven = "R002"
        case modulusEven = "R003"
        case modulusTooSmall = "R004"
        case modulusTooSmallForSigning = "R005"
        case modulusTooLarge = "R006"
        case exponentNotBelowModulus = "R007"
        case modulusNotProduct = "R008"
        case privateExponentMismatch = "R009"
        case crtExponentMismatch = "R010"
        case crtCoefficientMismatch = "R011"
        case invalidPrime = "R012"
        case unsupportedKeySize = "R013"

        // Operations
        case signatureLengthMismatch = "R020"
        case signatureOutOfRange = "R021"
        case signatureMismatch = "R022"
        case legacyHashRefused = "R023"
        case digestLengthMismatch = "R024"
        case messageTooLong = "R025"
        case decryptionFailed = "R026"
        case faultDetected = "R027"
        case contentHashMismatch = "R028"
        case principalMismatch = "R029"
        case algorithmMismatch = "R030"

        // Key files
        case pemTruncated = "R040"
        case pemLabel = "R041"
        case pemBase64 = "R042"
        case derMalformed = "R043"
        case unsupportedAlgorithm = "R044"
        case unsupportedVersion = "R045"
        case sshMalformed = "R050"
        case encryptedKey = "R051"
        case sexpMalformed = "R060"
        case sexpNotAKey = "R061"
        case sexpMissingField = "R062"
        case sexpDuplicateField = "R063"
        case sexpBadInteger = "R064"
        case unknownFormat = "R070"
        case notAPrivateKey = "R071"
    }

    public let code: Code
    /// What went wrong, where and why.
    public let message: String
    /// How to fix it, when there is something to say.
    public let help: String?

    public init(_ code: Code, _ message: String, help: String? = nil) {
        self.code = code
        self.message = message
        self.help = help
    }

    /// Whether the input was understood and the answer is "this signature is not valid"
    /// (exit status 1), as opposed to malformed input (exit status 2).
    public var isVerificationFailure: Bool {
        switch code {
        case .signatureLengthMismatch, .signatureOutOfRange, .signatureMismatch,
             .contentHashMismatch, .principalMismatch, .algorithmMismatch:
            return true
        default: return false
        }
    }

    /// `message (Rnnn)` followed by `help: ...` on its own line when there is help.
    public var description: String {
        var text = "\(message) [\(code.rawValue)]"
        if let help { text += "\nhelp: \(help)" }
        return text
    }
}

extension RSAError {
    /// The help of every refusal of a key of another algorithm.
    static let onlyRSAHelp = "only RSA keys (rsaEncryption: rsa-pkcs1-sha256 signatures) are supported; "
        + "make one with `spki keygen` or `openssl genpkey -algorithm RSA`"
}
