/// Why a bundle plan was refused, or a bundle failed to build, write or verify.
///
/// `code` is stable and may be matched on. `message` says what went wrong and where, in
/// lower case without a final period; `help` says how to fix it. Neither ever holds key
/// material: only names, sizes, SPIs, paths and format words.
public struct BackendsError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        // The plan
        case invalidName = "B001"
        case duplicateName = "B002"
        case unknownHost = "B003"
        case unknownVM = "B004"
        case unknownVPXI = "B005"
        case unknownRegistrar = "B006"
        case registrarCannotSign = "B007"
        case invalidLocator = "B008"
        case noLocator = "B009"
        case noCommonLocatorFamily = "B010"
        case invalidEpochs = "B011"
        case invalidWindow = "B012"
        case invalidLink = "B013"
        case invalidResources = "B014"
        case invalidSSHKey = "B015"
        case invalidText = "B016"
        case invalidSecret = "B017"
        case keyTooSmallForWrapping = "B018"
        case spiSpaceExhausted = "B019"
        case lsiSpaceExhausted = "B020"
        case hypervisorMismatch = "B021"
        /// The key store has no key for a host (the compiler's mapping onto a plan).
        case hostKeyMissing = "B022"

        // Building
        case cryptoFailure = "B030"

        // Writing and reading bundles
        case cannotWrite = "B040"
        case cannotRead = "B041"
        case unsafePath = "B042"

        // Verifying bundles
        case manifestMissing = "B050"
        case manifestMalformed = "B051"
        case signatureMissing = "B052"
        case signatureInvalid = "B053"
        case fileMissing = "B054"
        case fileUnlisted = "B055"
        case fileChanged = "B056"
        case wrongHost = "B057"
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

    /// Whether a bundle was read and found not to be whole or authentic (exit status 1),
    /// as opposed to bad input or an I/O failure (exit status 2).
    public var isVerificationFailure: Bool {
        switch code {
        case .manifestMissing, .manifestMalformed, .signatureMissing, .signatureInvalid,
             .fileMissing, .fileUnlisted, .fileChanged, .wrongHost:
            return true
        default: return false
        }
    }

    /// `message [Bnnn]` followed by `help: ...` on its own line when there is help.
    public var description: String {
        var text = "\(message) [\(code.rawValue)]"
        if let help { text += "\nhelp: \(help)" }
        return text
    }
}
