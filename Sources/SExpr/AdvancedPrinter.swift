/// Prints the advanced (readable) form: a token where possible, a quoted string for
/// printable text, `|base64|` otherwise, and lists broken across lines to fit a width.
/// Its output parses back to the same value.
public struct AdvancedPrinter: Sendable {
    /// The line width to fit lists into; 0 keeps every expression on one line.
    public var width: Int

    public init(width: Int = 72) {
        self.width = width
    }

    /// How an atom is written.
    enum Style: UInt8 {
        case token, quoted, base64
    }

    /// `value` in advanced form, without a final newline.
    public func print(_ value: SExpr) -> [UInt8] {
        let document = SExprDocument(values: [value])
        var out: [UInt8] = []
        Layout(document: document, width: width).write(root: 0, into: &out)
        return out
    }

    /// Every top-level expression of `document`, each followed by a newline.
    public func print(_ document: SExprDocument) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(document.source.count + document.source.count / 4 + 64)
        let layout = Layout(document: document, width: width)
        var root = 0
        while root < document.nodeCount {
            layout.write(root: root, into: &out)
            out.append(0x0A)
            root = document.subtreeEnd(root)
        }
        return out
    }

    /// The style and printed width of one string.
    static func measure(_ bytes: UnsafeBufferPointer<UInt8>) -> (Style, Int) {
        if let first = bytes.first, first &- 0x30 >= 10 {
            var allToken = true
            for c in bytes where !ParserCore.isTokenByte(c) {
                allToken = false
                break
            }
            if allToken { return (.token, bytes.count) }
        }
        var escapes = 0
        for c in bytes {
            switch c {
            case 0x22, 0x5C, 0x0A, 0x09, 0x0D: escapes += 1
            case 0x20...0x7E: break
            default: return (.base64, Base64.encodedLength(bytes.count) + 2)
            }
        }
        return (.quoted, bytes.count + escapes + 2)
    }

    /// One atom in advanced form, as `print` writes it (no hint): a token, a quoted string
    /// (with `\n`, `\t`, `\r`, `\"` and `\\` escapes) or `|base64|`.
    public static func appendAtom(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        write(bytes, style: measure(bytes).0, into: &out)
    }

    static func write(_ bytes: UnsafeBufferPointer<UInt8>, style: Style, into out: inout [UInt8]) {
        switch style {
        case .token:
            out.append(contentsOf: bytes)
        case .quoted:
            out.append(0x22)
            for c in bytes {
                switch c {
                case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
                case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
                case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
                case 0x22, 0x5C: out.append(0x5C); out.append(c)
                default: out.append(c)
                }
            }
            out.append(0x22)
        case .base64:
            out.append(0x7C)
            Base64.encode(bytes, into: &out)
            out.append(0x7C)
        }
    }

    /// Flat widths for every node, then a walk that breaks the lists that do not fit.
    struct Layout {
        let document: SExprDocument
        let width: Int
        /// Printed width of each node on one line (saturated).
        var flatWidth: [Int]
        /// Style of each atom, and of its hint in the high bits.
        var styles: [UInt8]

        init(document: SExprDocument, width: Int) {
            self.document = document
            self.width = width
            let count = document.nodeCount
            var flatWidth = [Int](repeating: 0, count: count)
            var styles = [UInt8](repeating: 0, count: count)
            var i = count - 1
            while i >= 0 {
                if document.isList(i) {
                    var total = 2
                    var child = i + 1
                    let end = document.subtreeEnd(i)
                    var first = true
                    while child < end {
                        total &+= flatWidth[child] &+ (first ? 0 : 1)
                        first = false
                        child = document.subtreeEnd(child)
                    }
                    flatWidth[i] = min(total, Int(Int32.max))
                } else {
                    let (style, w) = document.withAtomBytes(i) { AdvancedPrinter.measure($0) }
                    var total = w
                    var styleBits = style.rawValue
                    if let hint = document.atomHint(i) {
                        let (hintStyle, hintWidth) = hint.withUnsafeBufferPointer { AdvancedPrinter.measure($0) }
                        total += hintWidth + 2
                        styleBits |= hintStyle.rawValue << 4
                    }
                    flatWidth[i] = total
                    styles[i] = styleBits
                }
                i -= 1
            }
            self.flatWidth = flatWidth
            self.styles = styles
        }

        /// Writes the expression rooted at `root`, starting at column 0.
        ///
        /// A list that does not fit is broken: its head and the atoms right after it stay
        /// on the first line (an atom too long for any line stays beside its head), and
        /// every other element goes on a line of its own, indented one column past `(`.
        /// With `record`, each atom's output offset (after its hint) is stored under its
        /// node index (`AdvancedPrinter.Printed`).
        func write(root: Int, into out: inout [UInt8], record: UnsafeMutablePointer<UInt32>? = nil) {
            var open: [(end: Int, indent: Int, inHead: Bool)] = []
            var column = 0
            var i = root
            let end = document.subtreeEnd(root)
            while true {
                if document.isList(i) && width > 0 && column + flatWidth[i] > width && document.childCount(i) > 0 {
                    out.append(0x28)
                    column += 1
                    open.append((document.subtreeEnd(i), column, true))
                    i += 1
                    continue
                }
                column += writeFlat(i, into: &out, record: record)
                i = document.subtreeEnd(i)
                while let last = open.last, last.end == i {
                    out.append(0x29)
                    column += 1
                    open.removeLast()
                }
                if i >= end { return }
                let top = open.count - 1
                let indent = open[top].indent
                if open[top].inHead && !document.isList(i)
                    && (column + 1 + flatWidth[i] <= width || indent + flatWidth[i] > width) {
                    out.append(0x20)
                    column += 1
                    continue
                }
                open[top].inHead = false
                out.append(0x0A)
                out.append(contentsOf: repeatElement(0x20, count: indent))
                column = indent
            }
        }

        /// Writes node `id` on one line; returns its width.
        func writeFlat(_ id: Int, into out: inout [UInt8], record: UnsafeMutablePointer<UInt32>? = nil) -> Int {
            var ends: [Int] = []
            var i = id
            let end = document.subtreeEnd(id)
            var needsSpace = false
            while i < end {
                if needsSpace { out.append(0x20) }
                if document.isList(i) {
                    out.append(0x28)
                    let listEnd = document.subtreeEnd(i)
                    if listEnd == i + 1 {
                        out.append(0x29)
                        needsSpace = true
                    } else {
                        ends.append(listEnd)
                        needsSpace = false
                    }
                } else {
                    writeAtom(i, into: &out, record: record)
                    needsSpace = true
                }
                i += 1
                while let last = ends.last, last == i {
                    out.append(0x29)
                    ends.removeLast()
                }
            }
            return flatWidth[id]
        }

        func writeAtom(_ i: Int, into out: inout [UInt8], record: UnsafeMutablePointer<UInt32>? = nil) {
            let bits = styles[i]
            if let hint = document.atomHint(i) {
                out.append(0x5B)
                hint.withUnsafeBufferPointer { AdvancedPrinter.write($0, style: Style(rawValue: bits >> 4)!, into: &out) }
                out.append(0x5D)
            }
            record?[i] = UInt32(truncatingIfNeeded: out.count)
            document.withAtomBytes(i) { AdvancedPrinter.write($0, style: Style(rawValue: bits & 0xF)!, into: &out) }
        }
    }
}
