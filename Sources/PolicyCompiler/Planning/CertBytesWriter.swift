import SExpr
import SPKI

/// Writes a planned cert's canonical bytes straight from its parts, without building the
/// cert's `SExpr`: `(4:cert(6:issuerP)(7:subjectP)(9:propagate)?(3:tagT)(5:valid…)?)`.
/// Each principal's canonical bytes (a public key) are printed once and reused for every
/// cert that names it; tags and validities are remembered the same way. The bytes equal
/// `cert.sexp.canonical` (a cert with fields the planner never sets falls back to it).
struct CertBytesWriter {
    /// Keyed by identity, which two spellings of one key share: the expression is kept and
    /// compared so that each spelling prints as written.
    private var principals: [PrincipalID: (sexp: SExpr, bytes: [UInt8])] = [:]
    private var tags: [Tag: [UInt8]] = [:]
    private var validities: [Validity: [UInt8]] = [:]

    mutating func canonical(_ cert: Cert) -> [UInt8] {
        guard var out = prefix(cert) else { return cert.sexp.canonical }
        out += field(cert.validity)
        out.append(0x29)
        return out
    }

    /// The cert's canonical bytes up to its validity field (the validity, then `)`, end
    /// them; the validity is the last field the planner sets), or nil when the cert has
    /// fields the planner never sets (its bytes are then `cert.sexp.canonical`).
    mutating func prefix(_ cert: Cert) -> [UInt8]? {
        guard cert.version == nil, cert.display == nil, cert.issuerInfo == nil, cert.subjectInfo == nil,
              cert.comment == nil, cert.source == nil,
              case .principal(let issuer) = cert.issuer, case .principal(let subject) = cert.subject,
              let tag = cert.tag else { return nil }
        let issuerBytes = principal(issuer)
        let subjectBytes = principal(subject)
        let tagBytes = field(tag)
        var out: [UInt8] = []
        out.reserveCapacity(issuerBytes.count + subjectBytes.count + tagBytes.count + 96)
        out += Self.head
        out += Self.issuer
        out += issuerBytes
        out.append(0x29)
        out += Self.subject
        out += subjectBytes
        out.append(0x29)
        if cert.propagate { out += Self.propagate }
        out += tagBytes
        return out
    }

    private mutating func principal(_ principal: Principal) -> [UInt8] {
        if let known = principals[principal.id], known.sexp == principal.sexp { return known.bytes }
        let bytes = principal.sexp.canonical
        principals[principal.id] = (principal.sexp, bytes)
        return bytes
    }

    private mutating func field(_ tag: Tag) -> [UInt8] {
        if let bytes = tags[tag] { return bytes }
        let bytes = tag.field.canonical
        tags[tag] = bytes
        return bytes
    }

    mutating func field(_ validity: Validity) -> [UInt8] {
        if let bytes = validities[validity] { return bytes }
        let bytes = validity.sexp?.canonical ?? []
        validities[validity] = bytes
        return bytes
    }

    private static let head = Array("(4:cert".utf8)
    private static let issuer = Array("(6:issuer".utf8)
    private static let subject = Array("(7:subject".utf8)
    private static let propagate = Array("(9:propagate)".utf8)
}
