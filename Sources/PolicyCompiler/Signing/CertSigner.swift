import RSA
import SPKI

/// Signs the certs of a plan whose issuers' private keys are available, in parallel on
/// every core, reusing the signatures of unchanged certs (`SigningPipeline` does the work;
/// `Compilation` writes each vpxi while the following ones are signed).
public enum CertSigner {
    /// How each cert came by its signature.
    public enum Origin: String, Sendable {
        /// Signed by this run.
        case signed
        /// Taken from the previous output (same cert, same issuer).
        case reused
        /// Signed outside (`spki sign` on a pending request) and merged by this run.
        case merged
        /// No signature: the issuer's private key is not in the key store.
        case pending
    }

    public struct Result: Sendable {
        /// One per cert of the plan; nil for pending certs.
        public var signatures: [SPKISignature?]
        public var origins: [Origin]
        /// CPU time spent in RSA signing (signatures and signers' blinding set-up), summed
        /// over the threads.
        public var signingTime: Duration
        /// Wall-clock time during which at least one thread was signing.
        public var signingWall = Duration.zero
        /// When the first signature was started and the last one finished (nil when
        /// nothing was signed).
        public var signingStart: ContinuousClock.Instant?
        public var signingEnd: ContinuousClock.Instant?

        init(signatures: [SPKISignature?], origins: [Origin], signingTime: Duration, signingSpans: Duration = .zero,
             signingStart: ContinuousClock.Instant? = nil, signingEnd: ContinuousClock.Instant? = nil) {
            self.signatures = signatures
            self.origins = origins
            self.signingTime = signingTime
            signingWall = signingSpans
            self.signingStart = signingStart
            self.signingEnd = signingEnd
        }

        public func count(_ origin: Origin) -> Int { origins.lazy.filter { $0 == origin }.count }
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Signs every cert of `plan` whose issuer has a key in `signers`, unless `known`
    /// says where its signature comes from (by digest): `.reused` from the previous
    /// output (the signature is then nil: the writer links the old file), or `.merged`.
    public static func sign(_ plan: CertPlan, signers: [PrincipalID: RSAPrivateKey],
                            known: [[UInt8]: (SPKISignature?, Origin)] = [:]) throws(Failure) -> Result {
        try SigningPipeline(plan, signers: signers, known: known).finish()
    }
}
