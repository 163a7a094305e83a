import Hashing
import RSA
import SExpr
import SPKI
import XCTest

/// Principals, certs and bags for the reduction and discovery tests.
enum Fixtures {
    /// A principal named by the SHA-256 hash of `name` (no key: for unsigned tests).
    static func principal(_ name: String) -> Principal {
        try! Principal(parsing: ["hash", "sha256", .bytes(HashAlgorithm.sha256.digest(Array(name.utf8)))])
    }

    static func date(_ text: String) -> SPKIDate { try! SPKIDate.parse(spki: Array(text.utf8)).date }

    static func validity(_ from: String?, _ to: String?) -> Validity {
        Validity(notBefore: from.map(date), notAfter: to.map(date))
    }

    static func cert(_ issuer: String, _ subject: String, _ tagText: String = "(*)", propagate: Bool = false,
                     validity: Validity = .always) -> Cert {
        Cert(issuer: principal(issuer), subject: .principal(principal(subject)), tag: tag(tagText), propagate: propagate, validity: validity)
    }

    /// An unsigned bag (signatures not checked) of `certs`.
    static func bag(_ certs: [Cert]) -> CertBag {
        var builder = CertBag.Builder()
        for (i, cert) in certs.enumerated() { try! builder.add(cert, signature: nil, origin: "test cert \(i + 1)") }
        return builder.build(checkSignatures: false)
    }

    static func acl(_ subject: String, _ tagText: String = "(*)", propagate: Bool = true, validity: Validity = .always) -> ACL {
        ACL(entries: [ACL.Entry(subject: .principal(principal(subject)), propagate: propagate, tag: tag(tagText), validity: validity)])
    }

    static let noon = date("2026-12-02_12:00:00")
}
