import SExpr

/// How the output's S-expressions are written: advanced (readable, the default) or
/// canonical (compact, what signatures cover).
public enum SExprText: String, Sendable, CaseIterable {
    case advanced, canonical

    /// One object, alone in a file.
    func object(_ value: SExpr) -> [UInt8] {
        switch self {
        case .advanced: return AdvancedPrinter().print(value) + [UInt8(ascii: "\n")]
        case .canonical: return value.canonical
        }
    }

    /// An object alone, without a final line break.
    func item(_ value: SExpr) -> [UInt8] {
        switch self {
        case .advanced: return AdvancedPrinter().print(value)
        case .canonical: return value.canonical
        }
    }

    /// An object as an element of a `(sequence ...)`: in the advanced form on a line of its
    /// own, every line indented by one space. Made once per object, so that sequences are
    /// assembled by copying.
    func element(_ value: SExpr) -> [UInt8] {
        switch self {
        case .canonical: return value.canonical
        case .advanced:
            let item = AdvancedPrinter().print(value)
            var out: [UInt8] = [UInt8(ascii: "\n"), UInt8(ascii: " ")]
            out.reserveCapacity(item.count + item.count / 32 + 2)
            var start = 0
            item.withUnsafeBufferPointer { bytes in
                for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
                    out.append(contentsOf: bytes[start...index])
                    out.append(UInt8(ascii: " "))
                    start = index + 1
                }
                out.append(contentsOf: bytes[start...])
            }
            return out
        }
    }

    /// The element of the expression whose canonical bytes are `canonical` (a cert or a
    /// signature), rendered straight from them (`ElementText`, which remembers the fields
    /// it has rendered: one per thread).
    func element(canonical: [UInt8], using text: inout ElementText) -> [UInt8] {
        switch self {
        case .canonical: return canonical
        case .advanced: return text.element(canonical: canonical)
        }
    }

    /// Appends `(sequence ELEMENT...)` of elements made by `element` to `out`; returns its
    /// length.
    func appendSequence(_ elements: some Sequence<[UInt8]>, to out: inout [UInt8]) -> Int {
        let start = out.count
        out.append(contentsOf: self == .canonical ? Array("(8:sequence".utf8) : Array("(sequence".utf8))
        for element in elements { out.append(contentsOf: element) }
        out.append(UInt8(ascii: ")"))
        if self == .advanced { out.append(UInt8(ascii: "\n")) }
        return out.count - start
    }

    /// `(sequence ELEMENT...)` from elements made by `element`.
    func sequence(_ elements: [[UInt8]]) -> [UInt8] {
        let head: [UInt8] = self == .canonical ? Array("(8:sequence".utf8) : Array("(sequence".utf8)
        let tail: [UInt8] = self == .canonical ? [UInt8(ascii: ")")] : [UInt8(ascii: ")"), UInt8(ascii: "\n")]
        var out = head
        out.reserveCapacity(elements.reduce(head.count + tail.count) { $0 + $1.count })
        for element in elements { out.append(contentsOf: element) }
        out.append(contentsOf: tail)
        return out
    }
}
