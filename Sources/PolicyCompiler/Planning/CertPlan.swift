import Hashing
import SExpr
import SPKI

/// The certificates of one compilation, unsigned, with the chains users present and the
/// ACL of every machine.
public struct CertPlan: Sendable {
    /// Which of the paper's flows (section 4.2) a cert belongs to.
    public enum Flow: String, Sendable, CaseIterable {
        /// `<R, H, A, propagate, V>`: the machine to the registrar it is registered with.
        case resourceToRegistrar = "resource-registrar"
        /// `<H2, H1, A, propagate, V>`: that registrar to the vpxi's, when they differ.
        case registrarToRegistrar = "registrar-registrar"
        /// `<H, U, A, V>`: the vpxi's registrar to a user (propagate when the user delegates).
        case registrarToUser = "registrar-user"
        /// `<U1, U2, A, V>`: a user to the user they delegate to (`via`).
        case userToUser = "user-user"
    }

    /// An issuer or subject.
    public struct Party: Hashable, Sendable {
        public let name: PrincipalName
        public let key: PublicKeyInfo
    }

    public struct PlannedCert: Sendable {
        public let flow: Flow
        public let vpxi: Int
        public let machine: Int
        public let issuer: Party
        public let subject: Party
        public let cert: Cert
        /// The canonical bytes of the cert: what a signature covers.
        public let canonical: [UInt8]
        /// SHA-256 of `canonical`: the cert's name in the output.
        public let digest: [UInt8]
        /// The digest in lowercase hexadecimal (made once: the output names the cert by it
        /// in several places).
        public let hex: String

        init(flow: Flow, vpxi: Int, machine: Int, issuer: Party, subject: Party, cert: Cert, canonical: [UInt8]? = nil) {
            self.flow = flow
            self.vpxi = vpxi
            self.machine = machine
            self.issuer = issuer
            self.subject = subject
            self.cert = cert
            let canonical = canonical ?? cert.sexp.canonical
            self.canonical = canonical
            digest = HashAlgorithm.sha256.digest(canonical)
            hex = Hex.encode(digest)
        }
    }

    /// What one user presents to one machine: the certs from the machine's own grant to
    /// the user, in presentation order.
    public struct PlannedChain: Sendable {
        public let user: Int
        public let vpxi: Int
        public let machine: Int
        /// Indices into `certs`.
        public let certs: [Int]
    }

    /// A machine's ACL: it trusts its own key.
    public struct PlannedACL: Sendable {
        public let vpxi: Int
        public let machine: Int
        public let acl: ACL
    }

    public var certs: [PlannedCert] = []
    public var chains: [PlannedChain] = []
    public var acls: [PlannedACL] = []
    /// For each vpxi, the epoch compiled; nil when its window ended before the time.
    public var epochs: [RenewalSchedule.Epoch?] = []
    /// The vpxis whose certs, chains and ACLs are not in this plan: carried over unchanged
    /// from the previous output (their fingerprints match; see `VPXIFingerprint`).
    public var carried: Set<Int> = []

    public init() {}
}
