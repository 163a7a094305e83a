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
    ///
    /// A cert read from canonical input holds only its input bytes (`receivedBytes`), and
    /// the expression is read from them when asked for: the same value as the one parsed.
    /// Setting it replaces the expression (and drops the input bytes).
    public var source: SExpr? {
        get {
            if let storedSource { return storedSource }
            guard sourceIsReceived, let bytes = receivedBytes.bytes else { return nil }
            do {
                return try SExprParser(options: .init(canonicalOnly: true)).parseOne(Array(bytes))
            } catch {
                // The bytes were checked node by node against a parse when the cert was read.
                preconditionFailure("a cert's received canonical bytes no longer parse: \(error)")
            }
        }
        set {
            storedSource = newValue
            sourceIsReceived = false
            receivedBytes = ReceivedBytes()
        }
    }
    /// `source` when it is held as a value.
    private var storedSource: SExpr?
    /// Whether `source` is the expression `receivedBytes` encode (not held as a value).
    private var sourceIsReceived = false
    /// The input bytes of `source` when it arrived in canonical form (see
    /// `SPKISequence(parsing:root:warnings:)`): what a signature covers, without printing it again.
    var receivedBytes = ReceivedBytes()

    /// Whether the cert has an expression as received (without building it).
    var hasSource: Bool { storedSource != nil || sourceIsReceived }

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
            issuer = .principal(try Principal(parsing: issuerValue))
            guard let tagField = fields["tag"] else {
                throw SPKIError(.missingField, "the cert has no `(tag …)`", field: "tag",
                                help: "an authorization cert needs a tag; `(tag (*))` grants everything")
            }
            tag = try Tag(field: tagField).normalized
        }
        let subjectValue = try FieldReader.single(subjectField, "subject")
        subject = try Subject(parsing: subjectValue)
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
        storedSource = value
    }

    /// A cert read field by field from canonical input (`Cert(reading:…)`): `bytes` are its
    /// input bytes, which `source` is read from when asked for.
    init(version: SExpr.Atom?, display: SExpr.Atom?, issuer: Issuer, issuerInfo: SExpr?, subject: Subject,
         subjectInfo: SExpr?, propagate: Bool, tag: Tag?, validity: Validity, comment: SExpr?, received bytes: ArraySlice<UInt8>) {
        self.version = version
        self.display = display
        self.issuer = issuer
        self.issuerInfo = issuerInfo
        self.subject = subject
        self.subjectInfo = subjectInfo
        self.propagate = propagate
        self.tag = tag
        self.validity = validity
        self.comment = comment
        receivedBytes = ReceivedBytes(bytes)
        sourceIsReceived = true
    }

    /// Equal values: every field and the expression as received. Two certs that both keep
    /// their input bytes compare those (the same bytes exactly when the same expression).
    public static func == (lhs: Cert, rhs: Cert) -> Bool {
        guard lhs.version == rhs.version, lhs.display == rhs.display, lhs.issuer == rhs.issuer,
              lhs.issuerInfo == rhs.issuerInfo, lhs.subject == rhs.subject, lhs.subjectInfo == rhs.subjectInfo,
              lhs.propagate == rhs.propagate, lhs.tag == rhs.tag, lhs.validity == rhs.validity,
              lhs.comment == rhs.comment, lhs.hasSource == rhs.hasSource else { return false }
        if lhs.sourceIsReceived, rhs.sourceIsReceived, let a = lhs.receivedBytes.bytes, let b = rhs.receivedBytes.bytes {
            return a == b
        }
        return lhs.source == rhs.source
    }

    /// Hashes the fields (not the expression as received: equal certs have equal fields).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(version)
        hasher.combine(display)
        hasher.combine(issuer)
        hasher.combine(issuerInfo)
        hasher.combine(subject)
        hasher.combine(subjectInfo)
        hasher.combine(propagate)
        hasher.combine(tag)
        hasher.combine(validity)
        hasher.combine(comment)
    }
}
