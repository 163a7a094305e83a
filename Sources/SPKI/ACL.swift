import SExpr

/// An access control list: what the verifier itself grants, the roots of every chain.
///
/// `(acl (version V)? (entry S (propagate)? (tag T)? (valid V)? (comment C)?)...)`
///
/// The subject of an entry may be bare (the draft's form) or wrapped in `(subject S)`
/// (libspki's form); entries are written bare. An entry without a tag grants `(tag (*))`.
public struct ACL: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var subject: Subject
        public var propagate: Bool
        public var tag: Tag
        public var validity: Validity
        public var comment: SExpr?

        public init(subject: Subject, propagate: Bool = false, tag: Tag = .all, validity: Validity = .always, comment: SExpr? = nil) {
            self.subject = subject
            self.propagate = propagate
            self.tag = tag
            self.validity = validity
            self.comment = comment
        }

        /// `(entry S (propagate)? (tag T) (valid V)? (comment C)?)`.
        public var sexp: SExpr {
            var items: [SExpr] = ["entry", subject.sexp]
            if propagate { items.append(["propagate"]) }
            items.append(tag.field)
            if let valid = validity.sexp { items.append(valid) }
            if let comment { items.append(["comment", comment]) }
            return .list(items)
        }

        static let fieldOrder = ["subject", "propagate", "tag", "valid", "comment"]

        /// Reads an `(entry ...)`.
        public init(parsing value: SExpr, warnings: inout [SPKIWarning]) throws(SPKIError) {
            guard value.head == "entry" else {
                throw SPKIError(.unexpectedObject, "expected an `(entry …)` in the ACL, found \(Describe.shape(value))")
            }
            let subjectHeads: Set<String> = ["public-key", "hash", "name", "keyholder", "object-hash", "k-of-n", "subject"]
            let fields = try FieldReader(object: "entry", order: Self.fieldOrder).read(value.tail) { item in
                guard let head = item.head else { return nil }
                return subjectHeads.contains(head) ? "subject" : head
            }
            guard var subjectExpr = fields["subject"] else {
                throw SPKIError(.missingField, "the ACL entry has no subject", field: "subject",
                                help: "write `(entry (public-key …) (tag …))` or `(entry (hash sha256 |…|) …)`")
            }
            if subjectExpr.head == "subject" { subjectExpr = try FieldReader.single(subjectExpr, "subject") }
            subject = try Subject(parsing: subjectExpr)
            propagate = fields["propagate"] != nil
            tag = try fields["tag"].map { (f: SExpr) throws(SPKIError) in try Tag(field: f).normalized } ?? .all
            validity = try fields["valid"].map { (f: SExpr) throws(SPKIError) in try Validity(parsing: f, warnings: &warnings) } ?? .always
            comment = try fields["comment"].map { (f: SExpr) throws(SPKIError) in try FieldReader.single(f, "comment") }
        }
    }

    public var version: SExpr.Atom?
    public var entries: [Entry]

    public init(entries: [Entry], version: SExpr.Atom? = nil) {
        self.entries = entries
        self.version = version
    }

    public var sexp: SExpr {
        var items: [SExpr] = ["acl"]
        if let version { items.append(["version", .atom(version)]) }
        items += entries.map(\.sexp)
        return .list(items)
    }

    /// Reads an `(acl ...)`.
    public init(parsing value: SExpr, warnings: inout [SPKIWarning]) throws(SPKIError) {
        guard value.head == "acl" else {
            throw SPKIError(.unexpectedObject, "expected an `(acl …)`, found \(Describe.shape(value))",
                            help: "an ACL is `(acl (entry SUBJECT (propagate)? (tag …) (valid …)?)…)`")
        }
        entries = []
        var seenEntry = false
        for (index, item) in value.tail.enumerated() {
            switch item.head {
            case "version":
                guard !seenEntry, version == nil else {
                    throw SPKIError(version == nil ? .fieldOutOfOrder : .repeatedField,
                                    version == nil ? "the field `version` comes after an entry in `(acl …)`; it belongs first"
                                        : "the field `version` appears twice in `(acl …)`", field: "version")
                }
                version = try FieldReader.atom(item, "version")
            case "entry":
                seenEntry = true
                do {
                    entries.append(try Entry(parsing: item, warnings: &warnings))
                } catch {
                    throw SPKIError(error.code, "ACL entry \(index + (version == nil ? 1 : 0)): \(error.message)", field: error.field, help: error.help)
                }
            default:
                throw SPKIError(.unknownField, "\(Describe.shape(item)) is not a field of `(acl …)`", field: item.head,
                                help: "an ACL holds `(version …)` and `(entry …)` fields")
            }
        }
    }
}
