import Diagnostics

/// The public key of a principal: a file (`key "keys/alice.pub"`), or the key
/// text itself (`key inline "ssh-ed25519 AAAA..."`), with an optional format.
public struct KeyReference: Hashable, Sendable {
    public enum Format: String, Sendable, CaseIterable {
        /// Detected from the content: SPKI S-expression, PEM, or OpenSSH.
        case detect
        case spki
        case pem
        case openssh
    }

    public var format: Format
    public var isInline: Bool
    /// The path (relative to the policy file) or the inline key text.
    public var text: StringLiteral
    public var range: SourceRange

    public init(format: Format, isInline: Bool, text: StringLiteral, range: SourceRange) {
        self.format = format
        self.isInline = isInline
        self.text = text
        self.range = range
    }
}
