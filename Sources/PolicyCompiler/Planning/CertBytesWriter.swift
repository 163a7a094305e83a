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
        guard cert.version == nil, cert.display == nil, cert.issuerInfo == nil, cert.subjectInfo == nil,
              cert.comment == nil, cert.source == nil,
              case .principal(let issuer) = cert.issuer, case .principal(let subject) = cert.subject,
              let tag = cert.tag else { return cert.sexp.canonical }
        let issuerBytes = principal(issuer)
        let subjectBytes = principal(subject)
        let tagBytes = field(tag)
        let validBytes = field(cert.validity)
        var out: [UInt8] = []
        out.reserveCapacity(issuerBytes.count + subjectBytes.count + tagBytes.count + validBytes.count + 40)
        out += Self.head
        out += Self.issuer
        out += issuerBytes
        out.append(0x29)
        out += Self.subject
        out += subjectBytes
        out.append(0x29)
        if cert.propagate { out += Self.propagate }
        out += tagBytes
        out += validBytes
        out.append(0x29)
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

    private mutating func field(_ validity: Validity) -> [UInt8] {
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
