import SExpr

/// Whom a cert or an ACL entry grants to (draft §5.3, `<subj-obj>`).
public indirect enum Subject: Hashable, Sendable, CustomStringConvertible {
    /// A key or a key hash.
    case principal(Principal)
    /// An SDSI name, resolved by name certs.
    case name(SDSIName)
    /// `(keyholder K)`: the holder of a key (for statements about a person or machine),
    /// kept as received.
    case keyholder(SExpr)
    /// `(object-hash (hash ALG |H|))`: an object (a file, a program), kept as received.
    case objectHash(SExpr)
    /// `(k-of-n K N S1 ... SN)`: satisfied when K of the N subjects are.
    case threshold(k: Int, [Subject])

    public var sexp: SExpr {
        switch self {
        case .principal(let principal): return principal.sexp
        case .name(let name): return name.sexp
        case .keyholder(let value), .objectHash(let value): return value
        case .threshold(let k, let members):
            return .list(["k-of-n", .string(String(k)), .string(String(members.count))] + members.map(\.sexp))
        }
    }

    /// The principal, when the subject is one.
    public var principal: Principal? {
        if case .principal(let principal) = self { return principal }
        return nil
    }

    /// Relative names made absolute with the issuer of the cert that holds them.
    public func qualified(by issuer: Principal) -> Subject {
        switch self {
        case .name(let name): return .name(name.qualified(by: issuer))
        case .threshold(let k, let members): return .threshold(k: k, members.map { $0.qualified(by: issuer) })
        default: return self
        }
    }

    /// Reads a subject expression.
    public init(parsing value: SExpr) throws(SPKIError) {
        switch value.head {
        case "public-key", "hash":
            self = .principal(try Principal(parsing: value))
        case "name":
            self = .name(try SDSIName(parsing: value))
        case "keyholder":
            guard value.tail.count == 1 else {
                throw SPKIError(.badSubject, "`(keyholder …)` holds exactly one principal or name", field: "keyholder")
            }
            self = .keyholder(value)
        case "object-hash":
            guard value.tail.count == 1, value.tail.first?.head == "hash" else {
                throw SPKIError(.badSubject, "an object hash is `(object-hash (hash ALG |H|))`", field: "object-hash")
            }
            self = .objectHash(value)
        case "k-of-n":
            let parts = Array(value.tail)
            guard parts.count >= 2, let k = parts[0].text.flatMap({ Int($0) }), let n = parts[1].text.flatMap({ Int($0) }) else {
                throw SPKIError(.badThreshold, "a threshold is `(k-of-n K N S1 … SN)` with K and N decimal numbers", field: "k-of-n")
            }
            let members = parts.dropFirst(2)
            guard n == members.count else {
                throw SPKIError(.badThreshold, "`(k-of-n \(k) \(n) …)` lists \(members.count) subjects, not \(n)", field: "k-of-n")
            }
            guard k >= 1, k <= n else {
                throw SPKIError(.badThreshold, "`(k-of-n \(k) \(n) …)`: K must be between 1 and N", field: "k-of-n")
            }
            var subjects: [Subject] = []
            for member in members { subjects.append(try Subject(parsing: member)) }
            self = .threshold(k: k, subjects)
        default:
            throw SPKIError(.badSubject, "a subject is a `(public-key …)`, a `(hash …)`, a `(name …)`, `(keyholder …)`, `(object-hash …)` or `(k-of-n …)`, found \(Describe.shape(value))", field: "subject")
        }
    }

    public var description: String {
        switch self {
        case .principal(let principal): return principal.description
        case .name(let name): return "name \(name)"
        case .keyholder(let value), .objectHash(let value): return Describe.clip(value.description)
        case .threshold(let k, let members): return "\(k) of (\(members.map(\.description).joined(separator: ", ")))"
        }
    }
}
