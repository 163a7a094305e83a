/// A document printed in advanced form and kept with where each of its atoms was written,
/// so that a later document of the same shape is printed by patching these bytes rather
/// than laid out again.
///
/// The layout (`AdvancedPrinter.Layout`) decides every line break from the document's
/// structure and the printed width of each node alone. When a new document has the same
/// structure (the same lists, each with the same children, the same atoms with the same
/// display hints) and each atom that differs prints to the same width as the one it
/// replaces, every break falls in the same place and every atom starts at the same
/// offset: the new bytes are the old ones with those atoms rewritten in place. Anything
/// else is laid out afresh. Either way the bytes are those of `print(_:)`.
///
///     let first = AdvancedPrinter(width: 100).printed(document)          // laid out
///     let next = AdvancedPrinter(width: 100).printed(later, reusing: first) // patched
///     // next.bytes == AdvancedPrinter(width: 100).print(later)
extension AdvancedPrinter {
    public struct Printed: Sendable {
        /// `print(document)`: every top-level expression, each followed by a newline.
        public let bytes: [UInt8]
        /// Whether `bytes` were patched from an earlier print rather than laid out.
        public let patched: Bool
        let document: SExprDocument
        let width: Int
        /// For each node that is an atom, the offset in `bytes` of its text (after its
        /// hint); empty when the output is too large to record.
        let offsets: [UInt32]
    }

    /// `document` printed as `print(_:)` does, patched from `previous` when it has the
    /// same shape and widths (see `Printed`), else laid out.
    public func printed(_ document: SExprDocument, reusing previous: Printed? = nil) -> Printed {
        if let previous, let bytes = patch(previous, with: document) {
            return Printed(bytes: bytes, patched: true, document: document, width: width, offsets: previous.offsets)
        }
        var out: [UInt8] = []
        out.reserveCapacity(document.source.count + document.source.count / 4 + 64)
        var offsets = [UInt32](repeating: 0, count: document.nodeCount)
        let layout = Layout(document: document, width: width)
        offsets.withUnsafeMutableBufferPointer { record in
            var root = 0
            while root < document.nodeCount {
                layout.write(root: root, into: &out, record: record.baseAddress)
                out.append(0x0A)
                root = document.subtreeEnd(root)
            }
        }
        if out.count > Int(UInt32.max) { offsets = [] }
        return Printed(bytes: out, patched: false, document: document, width: width, offsets: offsets)
    }

    /// `previous.bytes` with each atom of `document` that differs from the one at its
    /// index written in its place; nil when the layout could differ (another width, another
    /// structure, a changed hint, an atom of another printed width).
    func patch(_ previous: Printed, with document: SExprDocument) -> [UInt8]? {
        let old = previous.document
        guard previous.width == width, old.nodeCount == document.nodeCount, old.rootCount == document.rootCount,
              previous.offsets.count == document.nodeCount else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(previous.bytes.count)
        var copied = 0
        let flags = ~SExprDocument.Kind.countMask
        let complete: Bool = old.nodes.withUnsafeBufferPointer { oldNodes in
            document.nodes.withUnsafeBufferPointer { newNodes in
                previous.bytes.withUnsafeBufferPointer { oldBytes in
                    for i in 0 ..< newNodes.count {
                        let was = oldNodes[i], now = newNodes[i]
                        guard was.b & flags == now.b & flags else { return false }
                        if now.isList {
                            guard was.a == now.a, was.b == now.b else { return false }
                            continue
                        }
                        if now.isHinted, old.atomHint(i) != document.atomHint(i) { return false }
                        let same = old.withBytes(offset: Int(was.a), length: was.count) { before in
                            document.withBytes(offset: Int(now.a), length: now.count) { after in
                                before.count == after.count
                                    && (before.count == 0 || memcmp(before.baseAddress!, after.baseAddress!, before.count) == 0)
                            }
                        }
                        if same { continue }
                        let oldWidth = old.withBytes(offset: Int(was.a), length: was.count) { AdvancedPrinter.measure($0).1 }
                        let ok = document.withBytes(offset: Int(now.a), length: now.count) { after -> Bool in
                            let (style, newWidth) = AdvancedPrinter.measure(after)
                            guard newWidth == oldWidth else { return false }
                            let offset = Int(previous.offsets[i])
                            out.append(contentsOf: UnsafeBufferPointer(rebasing: oldBytes[copied ..< offset]))
                            AdvancedPrinter.write(after, style: style, into: &out)
                            copied = offset + oldWidth
                            return true
                        }
                        guard ok else { return false }
                    }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: oldBytes[copied...]))
                    return true
                }
            }
        }
        return complete ? out : nil
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
