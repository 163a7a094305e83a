import SExpr

/// Reads the fields of an object whose fields come in a fixed order (a cert, an ACL entry),
/// reporting a field that is repeated, out of order or unknown by name.
struct FieldReader {
    /// The object's name, for messages (`cert`, `entry`).
    let object: String
    /// The field names in their order.
    let order: [String]

    /// The fields of `items`, by name. `classify` may name an item that is not a list
    /// headed by a field name (the bare subject of an ACL entry).
    func read(_ items: ArraySlice<SExpr>, classify: (SExpr) -> String? = { $0.head }) throws(SPKIError) -> [String: SExpr] {
        var fields: [String: SExpr] = [:]
        var lastRank = -1
        var lastName = ""
        for item in items {
            guard let name = classify(item), let rank = order.firstIndex(of: name) else {
                throw SPKIError(.unknownField, "\(Describe.shape(item)) is not a field of `(\(object) …)`", field: item.head,
                                help: "the fields are, in this order: \(order.map { "`\($0)`" }.joined(separator: ", "))")
            }
            if rank == lastRank {
                throw SPKIError(.repeatedField, "the field `\(name)` appears twice in `(\(object) …)`", field: name,
                                help: "a `(\(object) …)` holds each field at most once")
            }
            if rank < lastRank {
                throw SPKIError(.fieldOutOfOrder, "the field `\(name)` comes after `\(lastName)` in `(\(object) …)`; it belongs before it", field: name,
                                help: "the fields go in this order: \(order.map { "`\($0)`" }.joined(separator: ", "))")
            }
            lastRank = rank
            lastName = name
            fields[name] = item
        }
        return fields
    }

    /// The single value inside `(name VALUE)`.
    static func single(_ field: SExpr, _ name: String) throws(SPKIError) -> SExpr {
        guard field.tail.count == 1, let value = field.tail.first else {
            throw SPKIError(.malformedField, "`(\(name) …)` holds exactly one value, this one holds \(field.tail.count)", field: name)
        }
        return value
    }

    /// The single atom inside `(name ATOM)`.
    static func atom(_ field: SExpr, _ name: String) throws(SPKIError) -> SExpr.Atom {
        guard let atom = try single(field, name).atomValue else {
            throw SPKIError(.malformedField, "`(\(name) …)` holds a byte string", field: name)
        }
        return atom
    }
}
