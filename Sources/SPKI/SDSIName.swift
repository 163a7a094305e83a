import SExpr

/// An SDSI name: `(name K n1 n2 ...)`, fully qualified by the principal K, or
/// `(name n1 n2 ...)`, relative to the issuer of the cert that holds it.
///
/// `(name K n1 n2)` is "n2 in the name space of whoever K calls n1" (RFC 2693 §6.4).
public struct SDSIName: Hashable, Sendable, CustomStringConvertible {
    /// The principal whose name space the first name is in; `nil` for a relative name.
    public var principal: Principal?
    /// The names, at least one.
    public var names: [SExpr.Atom]

    public init(principal: Principal?, names: [SExpr.Atom]) {
        precondition(!names.isEmpty, "an SDSI name needs at least one name")
        self.principal = principal
        self.names = names
    }

    /// The name made absolute with `issuer` when it is relative.
    public func qualified(by issuer: Principal) -> SDSIName {
        principal == nil ? SDSIName(principal: issuer, names: names) : self
    }

    public var sexp: SExpr {
        var items: [SExpr] = ["name"]
        if let principal { items.append(principal.sexp) }
        items += names.map { .atom($0) }
        return .list(items)
    }

    /// Reads `(name K? n1 n2 ...)`.
    public init(parsing value: SExpr) throws(SPKIError) {
        let shape = "a name is `(name KEY n1 n2 …)` or `(name n1 n2 …)`"
        guard value.head == "name" else {
            throw SPKIError(.badName, "expected `(name …)`, found \(Describe.shape(value))", field: "name", help: shape)
        }
        var parts = value.tail
        var principal: Principal?
        if let first = parts.first, case .list = first {
            principal = try Principal(parsing: first)
            parts = parts.dropFirst()
        }
        var names: [SExpr.Atom] = []
        for part in parts {
            guard let atom = part.atomValue else {
                throw SPKIError(.badName, "each name in `(name …)` is a byte string, found \(Describe.shape(part))", field: "name", help: shape)
            }
            names.append(atom)
        }
        guard !names.isEmpty else {
            throw SPKIError(.badName, "`(name …)` holds no name", field: "name", help: shape)
        }
        self.init(principal: principal, names: names)
    }

    public var description: String {
        let local = names.map { $0.text ?? "|…|" }.joined(separator: " ")
        return principal.map { "\($0)'s \(local)" } ?? local
    }
}
