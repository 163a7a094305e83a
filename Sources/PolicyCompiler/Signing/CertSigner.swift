import RSA
import SPKI

/// Signs the certs of a plan whose issuers' private keys are available, in parallel on
/// every core, reusing the signatures of unchanged certs.
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
        var signatures = [SPKISignature?](repeating: nil, count: plan.certs.count)
        var origins = [Origin](repeating: .pending, count: plan.certs.count)
        var work: [Int] = []
        for (index, planned) in plan.certs.enumerated() {
            if let (signature, origin) = known[planned.digest] {
                signatures[index] = signature
                origins[index] = origin
            } else if signers[planned.issuer.key.id] != nil {
                work.append(index)
            }
        }
        // Consecutive certs of one issuer share a signer (and its scratch space).
        work.sort { (plan.certs[$0].issuer.key.id, $0) < (plan.certs[$1].issuer.key.id, $1) }
        let certs = plan.certs
        let order = work
        let chunks = Parallel.map(order.count, chunk: 64) { range -> Swift.Result<([SPKISignature], Duration), Failure> in
            var cache: [PrincipalID: RSASigner] = [:]
            var out: [SPKISignature] = []
            out.reserveCapacity(range.count)
            var spent = Duration.zero
            for position in range {
                let planned = certs[order[position]]
                let id = planned.issuer.key.id
                do {
                    // RSA time: the signature, and a new signer's first blinding pair (a
                    // random value, its inverse and its power: RSA work, once per issuer).
                    let start = ThreadClock.now()
                    let signer: RSASigner
                    if let cached = cache[id] {
                        signer = cached
                    } else {
                        signer = try RSASigner(key: signers[id]!)
                        cache[id] = signer
                    }
                    out.append(try SPKISignature.sign(canonical: planned.canonical, signer: signer, principal: planned.issuer.key.hash))
                    spent += ThreadClock.now() - start
                } catch {
                    return .failure(Failure(message: "cannot sign as \(planned.issuer.name): \((error as? RSAError)?.message ?? "\(error)")"))
                }
            }
            return .success((out, spent))
        }
        var position = 0
        var total = Duration.zero
        for chunk in chunks {
            let (values, spent) = try chunk.get()
            total += spent
            for signature in values {
                signatures[order[position]] = signature
                origins[order[position]] = .signed
                position += 1
            }
        }
        return Result(signatures: signatures, origins: origins, signingTime: total)
    }
}
