import SExpr

/// How the output's S-expressions are written: advanced (readable, the default) or
/// canonical (compact, what signatures cover).
public enum SExprText: String, Sendable, CaseIterable {
    case advanced, canonical

    /// One object, alone in a file.
    func object(_ value: SExpr) -> [UInt8] {
        switch self {
        case .advanced: return Array((value.advanced() + "\n").utf8)
        case .canonical: return value.canonical
        }
    }

    /// An item to be placed in a `(sequence ...)`.
    func item(_ value: SExpr) -> [UInt8] {
        switch self {
        case .advanced: return Array(value.advanced().utf8)
        case .canonical: return value.canonical
        }
    }

    /// `(sequence ITEM...)` from items made by `item`.
    func sequence(_ items: [[UInt8]]) -> [UInt8] {
        switch self {
        case .canonical:
            var out = Array("(8:sequence".utf8)
            for item in items { out += item }
            out.append(UInt8(ascii: ")"))
            return out
        case .advanced:
            var out = Array("(sequence".utf8)
            for item in items {
                out.append(contentsOf: [UInt8(ascii: "\n"), UInt8(ascii: " ")])
                // Nested one level deeper: indent every line of the item by one space.
                for byte in item {
                    out.append(byte)
                    if byte == UInt8(ascii: "\n") { out.append(UInt8(ascii: " ")) }
                }
            }
            out.append(contentsOf: Array(")\n".utf8))
            return out
        }
    }
}
