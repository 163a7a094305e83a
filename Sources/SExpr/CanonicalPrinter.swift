/// Prints the canonical form: `<len>:<bytes>`, `[<len>:<hint>]`, `(`, `)`, no whitespace.
/// The output for a document is computed to the exact size first and written in one pass.
public enum CanonicalPrinter {
    /// The canonical bytes of `value`.
    public static func print(_ value: SExpr) -> [UInt8] {
        var out: [UInt8] = []
        print(value, into: &out)
        return out
    }

    /// Appends the canonical bytes of `value` to `out`, without recursion.
    public static func print(_ value: SExpr, into out: inout [UInt8]) {
        var work: [(value: SExpr, closes: Int)] = [(value, 0)]
        while let (item, closes) = work.popLast() {
            switch item {
            case .atom(let atom):
                if let hint = atom.hint {
                    out.append(0x5B)
                    appendString(hint, to: &out)
                    out.append(0x5D)
                }
                appendString(atom.bytes, to: &out)
                out.append(contentsOf: repeatElement(0x29, count: closes))
            case .list(let items):
                out.append(0x28)
                if items.isEmpty {
                    out.append(contentsOf: repeatElement(0x29, count: closes + 1))
                } else {
                    work.append((items[items.count - 1], closes + 1))
                    for child in items.dropLast().reversed() { work.append((child, 0)) }
                }
            }
        }
    }

    /// Every top-level expression of `document`, one after the other.
    public static func print(_ document: SExprDocument) -> [UInt8] {
        print(document, nodes: 0..<document.nodeCount)
    }

    /// The expression rooted at `id`.
    public static func print(_ document: SExprDocument, node id: SExprDocument.NodeID) -> [UInt8] {
        print(document, nodes: id..<document.subtreeEnd(id))
    }

    /// Prints the complete subtrees that make up `range`.
    static func print(_ document: SExprDocument, nodes range: Range<Int>) -> [UInt8] {
        // Pass 1: the exact size.
        var size = 0
        document.nodes.withUnsafeBufferPointer { nodes in
            for i in range {
                let node = nodes[i]
                if node.isList {
                    size &+= 2
                } else {
                    let length = node.count
                    size &+= decimalDigits(length) &+ 1 &+ length
                    if node.isHinted, let hint = document.hints[UInt32(i)] {
                        size &+= decimalDigits(Int(hint.length)) &+ 3 &+ Int(hint.length)
                    }
                }
            }
        }
        // Pass 2: write.
        let sourceCount = document.source.count
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var o = 0
            document.nodes.withUnsafeBufferPointer { nodes in
            document.source.withUnsafeBufferPointer { source in
            document.decoded.withUnsafeBufferPointer { decoded in
                let out = buffer.baseAddress!
                var ends: [Int] = []
                ends.reserveCapacity(64)
                @inline(__always) func copy(_ offset: Int, _ length: Int) {
                    o = writeDecimal(length, to: out, at: o)
                    out[o] = 0x3A
                    o += 1
                    let from = offset < sourceCount ? source.baseAddress! + offset : decoded.baseAddress! + (offset - sourceCount)
                    if length <= 16 {
                        for k in 0..<length { out[o + k] = from[k] }
                    } else {
                        (out + o).update(from: from, count: length)
                    }
                    o += length
                }
                for i in range {
                    while let last = ends.last, last == i {
                        out[o] = 0x29
                        o += 1
                        ends.removeLast()
                    }
                    let node = nodes[i]
                    if node.isList {
                        out[o] = 0x28
                        o += 1
                        if node.a == UInt32(truncatingIfNeeded: i + 1) {
                            out[o] = 0x29
                            o += 1
                        } else {
                            ends.append(Int(node.a))
                        }
                        continue
                    }
                    if node.isHinted, let hint = document.hints[UInt32(i)] {
                        out[o] = 0x5B
                        o += 1
                        copy(Int(hint.offset), Int(hint.length))
                        out[o] = 0x5D
                        o += 1
                    }
                    copy(Int(node.a), node.count)
                }
                while !ends.isEmpty {
                    out[o] = 0x29
                    o += 1
                    ends.removeLast()
                }
            }
            }
            }
            precondition(o == size, "canonical size mismatch: \(o) != \(size)")
            initialized = o
        }
    }

    static func appendString(_ bytes: [UInt8], to out: inout [UInt8]) {
        appendDecimal(bytes.count, to: &out)
        out.append(0x3A)
        out.append(contentsOf: bytes)
    }

    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let count = decimalDigits(value)
        withUnsafeMutableBytes(of: &digits) { raw in
            let p = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            _ = writeDecimal(value, to: p, at: 0)
            out.append(contentsOf: UnsafeBufferPointer(start: p, count: count))
        }
    }

    @inline(__always)
    static func decimalDigits(_ value: Int) -> Int {
        if value < 10 { return 1 }
        if value < 100 { return 2 }
        if value < 1000 { return 3 }
        var n = 4
        var v = value / 10000
        while v > 0 { n += 1; v /= 10 }
        return n
    }

    /// Writes `value` in decimal at `out[o...]` and returns the index after it.
    @inline(__always)
    static func writeDecimal(_ value: Int, to out: UnsafeMutablePointer<UInt8>, at o: Int) -> Int {
        if value < 10 {
            out[o] = UInt8(truncatingIfNeeded: value) &+ 0x30
            return o + 1
        }
        if value < 100 {
            out[o] = UInt8(truncatingIfNeeded: value / 10) &+ 0x30
            out[o + 1] = UInt8(truncatingIfNeeded: value % 10) &+ 0x30
            return o + 2
        }
        let count = decimalDigits(value)
        var v = value
        var j = o + count - 1
        while j >= o {
            out[j] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30
            v /= 10
            j -= 1
        }
        return o + count
    }
}
