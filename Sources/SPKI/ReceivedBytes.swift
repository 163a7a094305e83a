/// The canonical bytes of a parsed object, as a slice of the input it was read from (the
/// input stays shared, not copied). Derived from the object's expression, so it takes no
/// part in equality or hashing: a cert read from canonical input equals the same cert read
/// from advanced input.
struct ReceivedBytes: Hashable, Sendable {
    let bytes: ArraySlice<UInt8>?

    init(_ bytes: ArraySlice<UInt8>? = nil) { self.bytes = bytes }

    static func == (lhs: ReceivedBytes, rhs: ReceivedBytes) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}
