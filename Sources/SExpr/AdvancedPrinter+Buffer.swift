/// A document made by `SExprDocument.Builder` printed again with new atom bytes and no new
/// document: a caller that knows where in the builder's buffer each of its inputs went
/// (`SExprDocument.Builder.byteCount` before each) writes the next inputs over the previous
/// buffer, and the printer patches the previous print
/// (`AdvancedPrinter.printed(replacingBuffer:of:)`).
extension SExprDocument.Builder {
    /// How many bytes the built document's buffer holds so far: where the next atom's bytes
    /// (or the next expression appended with `append(canonical:)`, verbatim) will start.
    public var byteCount: Int { bytes.count }
}

extension AdvancedPrinter.Printed {
    /// The buffer of the printed document when a `SExprDocument.Builder` made it (every
    /// atom's bytes, and each expression appended with `append(canonical:)` verbatim, in
    /// the order written); nil for a parsed document.
    public var buffer: [UInt8]? { document.source.isEmpty ? document.decoded : nil }
}

extension AdvancedPrinter {
    /// The document of `previous` with its buffer replaced by `buffer` (as long), printed,
    /// when that is sure to be the document a builder makes of the same calls with the new
    /// bytes: every byte of `buffer` that differs from the previous buffer lies inside one
    /// of its atoms (so a canonical expression appended there reads the same lengths and
    /// parentheses, and yields the same nodes), and each changed atom prints to the same
    /// width (so no line break moves). The bytes are then those of `print(_:)` of that
    /// document, patched from `previous.bytes`; nil otherwise (the caller builds the
    /// document and prints it).
    ///
    ///     var builder = SExprDocument.Builder()
    ///     builder.open("login")
    ///     let at = builder.byteCount      // where the chain's bytes go
    ///     try builder.append(canonical: chain)
    ///     builder.close()
    ///     let first = AdvancedPrinter(width: 100).printed(builder.build())
    ///     var buffer = first.buffer!
    ///     buffer.replaceSubrange(at ..< at + next.count, with: next)   // same length
    ///     let second = AdvancedPrinter(width: 100).printed(replacingBuffer: buffer, of: first)
    public func printed(replacingBuffer buffer: [UInt8], of previous: Printed) -> Printed? {
        let old = previous.document
        guard previous.width == width, old.source.isEmpty, old.hints.isEmpty, previous.atomsInOrder != nil,
              buffer.count == old.decoded.count else { return nil }
        let document = SExprDocument(source: [], decoded: buffer, nodes: old.nodes, hints: [:], rootCount: old.rootCount)
        // `patchScanning` refuses (nil) a byte that differs outside every atom, and a changed
        // atom of another width (`.some(nil)`).
        guard case .some(.some(let bytes)) = patchScanning(previous, with: document) else { return nil }
        return Printed(bytes: bytes, patched: true, document: document, width: width, offsets: previous.offsets,
                       atomsInOrder: previous.atomsInOrder)
    }
}
