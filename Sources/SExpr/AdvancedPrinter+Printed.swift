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
        /// The atoms in node order when their bytes lie in that order in the document's
        /// buffer, with no hints (a document made by `SExprDocument.Builder`): then a
        /// document with the very same nodes is compared by scanning the two buffers
        /// (`patchScanning`); nil otherwise.
        let atomsInOrder: [UInt32]?
    }

    /// `document` printed as `print(_:)` does, patched from `previous` when it has the
    /// same shape and widths (see `Printed`), else laid out.
    public func printed(_ document: SExprDocument, reusing previous: Printed? = nil) -> Printed {
        if let previous {
            if let scanned = patchScanning(previous, with: document) {
                // The very same nodes: the atoms' order and offsets are the previous ones.
                if let bytes = scanned {
                    return Printed(bytes: bytes, patched: true, document: document, width: width, offsets: previous.offsets,
                                   atomsInOrder: previous.atomsInOrder)
                }
            } else if let bytes = patch(previous, with: document) {
                return Printed(bytes: bytes, patched: true, document: document, width: width, offsets: previous.offsets,
                               atomsInOrder: Self.atomsInOrder(document))
            }
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
        return Printed(bytes: out, patched: false, document: document, width: width, offsets: offsets,
                       atomsInOrder: Self.atomsInOrder(document))
    }

    /// The atoms of `document` in node order, when their bytes follow one another in that
    /// order in its buffer and it has no hints; else nil.
    static func atomsInOrder(_ document: SExprDocument) -> [UInt32]? {
        guard document.source.isEmpty, document.hints.isEmpty else { return nil }
        var atoms: [UInt32] = []
        var end: UInt32 = 0
        let ordered = document.nodes.withUnsafeBufferPointer { nodes -> Bool in
            for index in nodes.indices where !nodes[index].isList {
                let node = nodes[index]
                guard node.a >= end else { return false }
                end = node.a + UInt32(node.count)
                atoms.append(UInt32(index))
            }
            return true
        }
        return ordered ? atoms : nil
    }

    /// `patch` for two documents with the very same nodes (so the same structure and atom
    /// lengths), no hints and atoms in buffer order (`Printed.atomsInOrder`): the buffers
    /// are compared in bulk and only the atoms where they differ are looked at. Nil when
    /// this does not apply or a byte differs outside every atom (then `patch` decides);
    /// `.some(nil)` when an atom that changed prints to another width (laid out afresh).
    func patchScanning(_ previous: Printed, with document: SExprDocument) -> [UInt8]?? {
        let old = previous.document
        guard previous.width == width, old.rootCount == document.rootCount, previous.offsets.count == document.nodeCount,
              let atoms = previous.atomsInOrder, document.source.isEmpty, document.hints.isEmpty, old.source.isEmpty,
              old.decoded.count == document.decoded.count, old.nodeCount == document.nodeCount else { return nil }
        let sameNodes = old.nodes.withUnsafeBufferPointer { a in
            document.nodes.withUnsafeBufferPointer { b in
                a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count * MemoryLayout<SExprDocument.Node>.stride) == 0
            }
        }
        guard sameNodes else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(previous.bytes.count)
        var copied = 0
        let result: Bool? = old.decoded.withUnsafeBufferPointer { before in
            document.decoded.withUnsafeBufferPointer { after in
                previous.bytes.withUnsafeBufferPointer { oldBytes in
                    old.nodes.withUnsafeBufferPointer { nodes -> Bool? in
                        let count = before.count
                        var position = 0
                        var nextAtom = 0
                        while position < count {
                            // Skip what is the same, a block at a time.
                            let block = min(256, count - position)
                            if memcmp(before.baseAddress! + position, after.baseAddress! + position, block) == 0 {
                                position += block
                                continue
                            }
                            while before[position] == after[position] { position += 1 }
                            // The atom holding `position`: the last one starting at or before it.
                            var low = nextAtom, high = atoms.count
                            while low < high {
                                let middle = (low + high) / 2
                                if Int(nodes[Int(atoms[middle])].a) <= position { low = middle + 1 } else { high = middle }
                            }
                            guard low > nextAtom else { return nil }
                            let id = Int(atoms[low - 1])
                            let start = Int(nodes[id].a), length = nodes[id].count
                            guard position < start + length else { return nil }
                            let was = UnsafeBufferPointer(rebasing: before[start ..< start + length])
                            let now = UnsafeBufferPointer(rebasing: after[start ..< start + length])
                            let (style, width) = AdvancedPrinter.measure(now)
                            guard AdvancedPrinter.measure(was).1 == width else { return false }
                            let offset = Int(previous.offsets[id])
                            out.append(contentsOf: UnsafeBufferPointer(rebasing: oldBytes[copied ..< offset]))
                            AdvancedPrinter.write(now, style: style, into: &out)
                            copied = offset + width
                            position = start + length
                            nextAtom = low
                        }
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: oldBytes[copied...]))
                        return true
                    }
                }
            }
        }
        switch result {
        case .some(true): return .some(out)
        case .some(false): return .some(nil)
        case .none: return nil
        }
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
