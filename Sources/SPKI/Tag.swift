import SExpr

/// An authorization tag: the set of requests a grant allows.
///
/// The forms (draft-ietf-spki-cert-structure-06 §6, RFC 2693 §5.4):
/// - `(*)`: every request;
/// - an atom, with its display hint: two atoms are equal only if their hints are too;
/// - a list `(HEAD E1 ... En)`: the requests `(HEAD R1 ... Rm)` with m ≥ n and each Ri
///   allowed by Ei; a shorter list allows longer requests;
/// - `(* set T1 ... Tn)`: the union; `(* set)` is the empty tag, which allows nothing;
/// - `(* prefix P)`: the atoms that start with P (with P's hint);
/// - `(* range ORD LOW? HIGH?)`: see `TagRange`;
/// - `(* and P1 ... Pn)`: the atoms matched by every pattern Pi (prefixes and ranges).
///   Not in the draft: it appears only as the intersection of patterns that no draft
///   form expresses (a prefix and a numeric range, two ranges of different orderings).
///
/// "A allows R" is `A.includes(R)`, which agrees with `A.intersection(R) == R` up to
/// normalisation. `Docs/tags.md` holds the rules.
public indirect enum Tag: Hashable, Sendable {
    case all
    case atom(SExpr.Atom)
    case list(SExpr.Atom, [Tag])
    case set([Tag])
    case prefix(SExpr.Atom)
    case range(TagRange)
    case and([Tag])

    /// The empty tag: allows nothing.
    public static let none = Tag.set([])

    /// Whether this tag allows nothing (after normalisation).
    public var isEmpty: Bool { normalized == .none }

    /// An atom of text.
    public static func string(_ text: String, hint: String? = nil) -> Tag { .atom(SExpr.Atom(text, hint: hint)) }

    /// A list with a text head.
    public static func list(_ head: String, _ elements: [Tag]) -> Tag { .list(SExpr.Atom(head), elements) }

    /// Whether this is a prefix, a range or a conjunction of them: a tag that matches
    /// atoms only.
    var isPattern: Bool {
        switch self {
        case .prefix, .range, .and: return true
        default: return false
        }
    }

    // MARK: S-expressions

    /// The tag expression (without the `(tag ...)` wrapper).
    public var sexp: SExpr {
        switch self {
        case .all: return ["*"]
        case .atom(let atom): return .atom(atom)
        case .list(let head, let elements): return .list([.atom(head)] + elements.map(\.sexp))
        case .set(let members): return .list(["*", "set"] + members.map(\.sexp))
        case .prefix(let atom): return ["*", "prefix", .atom(atom)]
        case .range(let range): return range.sexp
        case .and(let members): return .list(["*", "and"] + members.map(\.sexp))
        }
    }

    /// `(tag T)`.
    public var field: SExpr { ["tag", sexp] }

    /// Reads a `(tag T)` field.
    public init(field value: SExpr) throws(SPKIError) {
        guard value.head == "tag", value.tail.count == 1, let body = value.tail.first else {
            throw SPKIError(.badTag, "a tag field is `(tag T)` with exactly one tag expression, found \(Describe.shape(value))", field: "tag")
        }
        try self.init(parsing: body)
    }

    /// Reads a tag given as `(tag T)` or as a bare `T` (command lines).
    public init(fieldOrExpression value: SExpr) throws(SPKIError) {
        if value.head == "tag" {
            try self.init(field: value)
        } else {
            try self.init(parsing: value)
        }
    }

    /// Reads a tag expression.
    public init(parsing value: SExpr) throws(SPKIError) {
        switch value {
        case .atom(let atom):
            self = .atom(atom)
        case .list(let items):
            guard let first = items.first else {
                throw SPKIError(.badTag, "an empty list is not a tag", field: "tag", help: "write `(*)` for every request, `(* set)` for none")
            }
            guard case .atom(let head) = first else {
                throw SPKIError(.badTag, "a tag list must start with a byte string, found \(Describe.shape(first))", field: "tag")
            }
            if head.bytes == [UInt8(ascii: "*")] && head.hint == nil {
                self = try Self.parseStarForm(items)
            } else {
                var elements: [Tag] = []
                elements.reserveCapacity(items.count - 1)
                for item in items.dropFirst() { elements.append(try Tag(parsing: item)) }
                self = .list(head, elements)
            }
        }
    }

    private static func parseStarForm(_ items: [SExpr]) throws(SPKIError) -> Tag {
        if items.count == 1 { return .all }
        guard let kind = items[1].text, items[1].atomValue?.hint == nil else {
            throw SPKIError(.badTag, "`(* …)` must be `(*)`, `(* set …)`, `(* prefix …)` or `(* range …)`, found \(Describe.shape(items[1])) after `*`", field: "tag")
        }
        let rest = items[2...]
        switch kind {
        case "set":
            var members: [Tag] = []
            for item in rest { members.append(try Tag(parsing: item)) }
            return .set(members)
        case "prefix":
            guard rest.count == 1, let atom = rest.first?.atomValue else {
                throw SPKIError(.badPrefix, "a prefix is `(* prefix BYTES)` with one byte string", field: "tag")
            }
            return .prefix(atom)
        case "range":
            return .range(try TagRange(parsing: rest))
        case "and":
            var members: [Tag] = []
            for item in rest {
                let member = try Tag(parsing: item)
                guard member.isPattern else {
                    throw SPKIError(.badTag, "`(* and …)` holds prefixes and ranges only, found \(Describe.shape(item))", field: "tag")
                }
                members.append(member)
            }
            return .and(members)
        default:
            throw SPKIError(.badTag, "`(* \(kind) …)` is not a tag form", field: "tag",
                            help: "the forms are `(*)`, `(* set …)`, `(* prefix …)` and `(* range …)`")
        }
    }
}

extension Tag: CustomStringConvertible {
    /// The advanced form on one line.
    public var description: String { sexp.description }
}
