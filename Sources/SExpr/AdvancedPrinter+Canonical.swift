/// The advanced form straight from canonical bytes: no `SExpr` tree is built. The bytes
/// are indexed in place (`SExprParser` in canonical-only mode: every atom points into
/// them, nothing is decoded or copied) and laid out by the same width-aware `Layout` as
/// `print(_:)`, so the output is byte for byte `SExpr.advanced(width:)` of the value they
/// encode.
extension AdvancedPrinter {
    /// The one expression encoded canonically in `canonical`, in advanced form without a
    /// final newline. Throws when `canonical` is not exactly one canonical expression.
    public func print(canonical: [UInt8]) throws(SExprError) -> [UInt8] {
        let document = try SExprParser(options: .init(canonicalOnly: true)).parse(canonical)
        guard document.rootCount == 1 else {
            throw ParserCore.error(.unexpectedCharacter, in: canonical, at: document.sourceOffset(document.roots[1]) ?? 0,
                                   expected: "end of input after one expression", found: "another expression",
                                   message: "expected one canonical expression, found \(document.rootCount)")
        }
        var out: [UInt8] = []
        out.reserveCapacity(canonical.count + canonical.count / 2 + 16)
        Layout(document: document, width: width).write(root: 0, into: &out)
        return out
    }

    /// As `print(canonical:)`, as a string.
    public func text(canonical: [UInt8]) throws(SExprError) -> String {
        String(decoding: try print(canonical: canonical), as: UTF8.self)
    }
}
