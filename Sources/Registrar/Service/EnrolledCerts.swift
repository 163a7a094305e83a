import Hashing
import PolicyCompiler
import RSA
import SExpr
import SPKI

/// What every epoch of a vpxi presents unchanged: each machine's resource → registrar
/// cert as the resource signed it at enrollment (`Slot.resourceCert`), with its hash, its
/// expiry, its canonical bytes, its signature and the text recorded for it. Worked out
/// once per compiled vpxi kept between renewals (`VPXICompiler.Compiled.derived`), not
/// once per epoch; for a compiled vpxi not kept, once per issue.
struct EnrolledCerts: Sendable {
    struct Enrolled: Sendable {
        /// `(sequence CERT SIGNATURE)` as enrolled.
        var body: SExpr
        /// Lowercase hex SHA-256 of the cert's canonical bytes.
        var hash: String
        /// The cert's canonical bytes (compared with the planned cert's).
        var canonical: [UInt8]
        var notAfter: Int64?
        /// The cert's validity (nil when it does not parse as a cert): the logins' expiry
        /// derives from it.
        var validity: Validity?
        var signature: SPKISignature?
        /// `body.advanced(width: 0)`: what the certs table records.
        var text: String
        /// `body.canonical`: the chain documents are rendered from it.
        var bodyCanonical: [UInt8]
    }

    /// By machine index of the vpxi.
    let machines: [Enrolled]

    init(_ compiled: VPXICompiler.Compiled) {
        machines = compiled.slots.map { slot in
            let enrolled = slot.resourceCert
            let cert = enrolled.tail.first ?? enrolled
            let canonical = cert.canonical
            var warnings: [SPKIWarning] = []
            let validity = (try? Cert(parsing: cert, warnings: &warnings))?.validity
            return Enrolled(body: enrolled, hash: Hex.encode(HashAlgorithm.sha256.digest(canonical)), canonical: canonical,
                            notAfter: validity?.notAfter?.secondsSinceEpoch, validity: validity,
                            signature: enrolled.tail.dropFirst().first.flatMap { try? SPKISignature(parsing: $0) },
                            text: enrolled.advanced(width: 0), bodyCanonical: enrolled.canonical)
        }
    }

    /// Those of `compiled`: kept with it when it is kept.
    static func of(_ compiled: VPXICompiler.Compiled) -> EnrolledCerts {
        guard let derived = compiled.derived else { return EnrolledCerts(compiled) }
        return derived.value { EnrolledCerts(compiled) }
    }
}
