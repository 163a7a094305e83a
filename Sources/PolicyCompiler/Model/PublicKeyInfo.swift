import RSA
import SExpr
import SPKI

/// A principal's public key as loaded from the policy: the SPKI principal that names it in
/// certificates, and what it can do.
public struct PublicKeyInfo: Sendable, Hashable {
    /// The principal: `(public-key ...)`, kept exactly as read for S-expression keys.
    public let principal: Principal
    /// The RSA key, when the key is RSA (only RSA keys can sign here).
    public let rsa: RSAPublicKey?
    /// A short description for messages and outputs: `rsa-2048`, `ssh-ed25519`.
    public let algorithm: String
    /// The `ssh-... AAAA... comment` line, when the key was given in OpenSSH form (for
    /// `authorized_keys`).
    public let sshLine: String?
    /// Where the key came from: the path as written, or `inline`.
    public let origin: String

    public init(principal: Principal, rsa: RSAPublicKey?, algorithm: String, sshLine: String?, origin: String) {
        self.principal = principal
        self.rsa = rsa
        self.algorithm = algorithm
        self.sshLine = sshLine
        self.origin = origin
    }

    /// Whether the key can sign certificates: RSA with at least 2048 bits.
    public var canSign: Bool { rsa.map { !$0.isLegacySize } ?? false }

    /// `(hash sha256 |H|)` of the principal.
    public var hash: SExpr { principal.sha256Hash }

    /// The SHA-256 identity of the principal.
    public var id: PrincipalID { principal.id }

    public static func == (lhs: PublicKeyInfo, rhs: PublicKeyInfo) -> Bool { lhs.principal.id == rhs.principal.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(principal.id) }
}
