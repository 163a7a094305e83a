import SExpr

/// An SPKI certificate (draft-ietf-spki-cert-structure-06 §5):
///
/// `(cert (version V)? (display D)? (issuer P) (issuer-info ..)? (subject S)
///  (subject-info ..)? (propagate)? (tag T) (valid V)? (comment C)?)`
///
/// An authorization cert has a principal issuer and a tag. A name cert has the issuer
/// `(name P n)`, defining P's local name n as the subject, and no tag nor propagate.
/// Fields are always written in this order; `source` keeps the expression as received,
/// which is what signatures cover.
public struct Cert: Hashable, Sendable {
    /// Who issues: a principal, or `(name P n)` for a name cert.
    public enum Issuer: Hashable, Sendable {
        case principal(Principal)
        case name(Principal, SExpr.Atom)

        /// The principal who signs.
        public var principal: Principal {
            switch self {
            case .principal(let p), .name(let p, _): return p
            }
        }

        public var sexp: SExpr {
            switch self {
            case .principal(let p): return p.sexp
            case .name(let p, let n): return ["name", p.sexp, .atom(n)]
            }
        }
    }

    public var version: SExpr.Atom?
    public var display: SExpr.Atom?
    public var issuer: Issuer
    public var issuerInfo: SExpr?
    public var subject: Subject
    public var subjectInfo: SExpr?
    public var propagate: Bool
    /// The tag; `nil` for a name cert.
    public var tag: Tag?
    public var validity: Validity
    public var comment: SExpr?
    /// The expression as received; `nil` for a cert built here (then `sexp` is used).
    public var source: SExpr? {
        didSet { receivedBytes = ReceivedBytes() }
    }
    /// The input bytes of `source` when it arrived in canonical form (see
    /// `SPKISequence(parsing:in:warnings:)`): what a signature covers, without printing it again.
    var receivedBytes = ReceivedBytes()

    /// An authorization cert.
    public init(issuer: Principal, subject: Subject, tag: Tag, propagate: Bool = false,
                validity: Validity = .always, comment: SExpr? = nil) {
        self.issuer = .principal(issuer)
        self.subject = subject
        self.tag = tag
        self.propagate = propagate
        self.validity = validity
        self.comment = comment
    }

    /// A name cert: `issuer`'s local name `name` means `subject`.
    public init(nameCertBy issuer: Principal, name: SExpr.Atom, subject: Subject, validity: Validity = .always) {
        self.issuer = .name(issuer, name)
        self.subject = subject
        self.propagate = false
        self.validity = validity
    }

    /// Whether this is a name cert.
    public var isNameCert: Bool {
        if case .name = issuer { return true }
        return false
    }

    /// The expression, fields in the draft's order.
    public var sexp: SExpr {
        var items: [SExpr] = ["cert"]
        if let version { items.append(["version", .atom(version)]) }
        if let display { items.append(["display", .atom(display)]) }
        items.append(["issuer", issuer.sexp])
        if let issuerInfo { items.append(issuerInfo) }
        items.append(["subject", subject.sexp])
        if let subjectInfo { items.append(subjectInfo) }
        if propagate { items.append(["propagate"]) }
        if let tag { items.append(tag.field) }
        if let valid = validity.sexp { items.append(valid) }
        if let comment { items.append(["comment", comment]) }
        return .list(items)
    }

    /// The bytes a signature covers: the canonical form of the cert as received.
    public var signedBytes: [UInt8] {
        if let bytes = receivedBytes.bytes { return Array(bytes) }
        return (source ?? sexp).canonical
    }

    /// Calls `body` with the bytes a signature covers: the input's own bytes when the cert
    /// arrived in canonical form (no copy), its canonical form printed again otherwise.
    public func withSignedBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let bytes = receivedBytes.bytes { return try bytes.withUnsafeBytes(body) }
        return try (source ?? sexp).canonical.withUnsafeBytes(body)
    }

    static let fieldOrder = ["version", "display", "issuer", "issuer-info", "subject", "subject-info",
                             "propagate", "tag", "valid", "comment"]

    /// Reads a `(cert ...)`. Truncated dates are accepted with a warning.
    public init(parsing value: SExpr, warnings: inout [SPKIWarning]) throws(SPKIError) {
        try self.init(parsing: value, warnings: &warnings, known: Known())
    }

    /// Field values already read from the same bytes elsewhere (see
    /// `SPKISequence(parsing:root:warnings:)`): the same bytes read the same, so they are
    /// not read again.
    struct Known {
        /// The `(tag ...)` field's tag.
        var tag: Tag?
        /// The principal `P` of `(issuer P)`.
        var issuer: Principal?
        /// The principal `P` of `(subject P)`.
        var subject: Principal?
        /// The canonical input bytes of `P` in `(issuer P)` and `(subject P)`, when `P` is
        /// a `(public-key ...)` or `(hash ...)` read from canonical input.
        var issuerBytes: ArraySlice<UInt8>?
        var subjectBytes: ArraySlice<UInt8>?
    }

    /// Reads a `(cert ...)`, taking the fields in `known` as read.
    init(parsing value: SExpr, warnings: inout [SPKIWarning], known: Known) throws(SPKIError) {
        guard value.head == "cert" else {
            throw SPKIError(.unexpectedObject, "expected a `(cert …)`, found \(Describe.shape(value))")
        }
        let fields = try FieldReader(object: "cert", order: Self.fieldOrder).read(value.tail)
        guard let issuerField = fields["issuer"] else {
            throw SPKIError(.missingField, "the cert has no `(issuer …)`", field: "issuer")
        }
        guard let subjectField = fields["subject"] else {
            throw SPKIError(.missingField, "the cert has no `(subject …)`", field: "subject")
        }
        let issuerValue = try FieldReader.single(issuerField, "issuer")
        if issuerValue.head == "name" {
            let name = try SDSIName(parsing: issuerValue)
            guard let principal = name.principal, name.names.count == 1 else {
                throw SPKIError(.badName, "a name cert's issuer is `(name KEY n)`: one key and one name", field: "issuer")
            }
            issuer = .name(principal, name.names[0])
            if fields["tag"] != nil {
                throw SPKIError(.malformedField, "a name cert (issuer `(name …)`) has no `(tag …)`", field: "tag",
                                help: "a name cert only defines a name; grant authority in a separate cert")
            }
            if fields["propagate"] != nil {
                throw SPKIError(.malformedField, "a name cert (issuer `(name …)`) has no `(propagate)`", field: "propagate")
            }
            tag = nil
        } else {
            if let knownIssuer = known.issuer { issuer = .principal(knownIssuer) } else { issuer = .principal(try Principal(parsing: issuerValue, canonical: known.issuerBytes)) }
            guard let tagField = fields["tag"] else {
                throw SPKIError(.missingField, "the cert has no `(tag …)`", field: "tag",
                                help: "an authorization cert needs a tag; `(tag (*))` grants everything")
            }
            if let knownTag = known.tag { tag = knownTag } else { tag = try Tag(field: tagField).normalized }
        }
        let subjectValue = try FieldReader.single(subjectField, "subject")
        if let knownSubject = known.subject {
            subject = .principal(knownSubject)
        } else if let bytes = known.subjectBytes {
            // A `(public-key ...)` or `(hash ...)`: what `Subject(parsing:)` reads as a principal.
            subject = .principal(try Principal(parsing: subjectValue, canonical: bytes))
        } else {
            subject = try Subject(parsing: subjectValue)
        }
        if let field = fields["propagate"] {
            guard field.tail.isEmpty else {
                throw SPKIError(.malformedField, "`(propagate)` holds nothing", field: "propagate")
            }
        }
        propagate = fields["propagate"] != nil
        version = try fields["version"].map { (f: SExpr) throws(SPKIError) in try FieldReader.atom(f, "version") }
        display = try fields["display"].map { (f: SExpr) throws(SPKIError) in try FieldReader.atom(f, "display") }
        issuerInfo = fields["issuer-info"]
        subjectInfo = fields["subject-info"]
        validity = try fields["valid"].map { (f: SExpr) throws(SPKIError) in try Validity(parsing: f, warnings: &warnings) } ?? .always
        comment = try fields["comment"].map { (f: SExpr) throws(SPKIError) in try FieldReader.single(f, "comment") }
        source = value
    }
}
