import SExpr

/// Renders a canonical S-expression (a cert, a signature) as an element of a
/// `(sequence ...)` in the advanced form, straight from its bytes: the same bytes as
/// `SExprText.advanced.element` of its value, without building the value, a document and
/// a layout for the whole object.
///
/// An object too wide for one line (every cert and signature with a key or a signature
/// value in it) is written by the advanced printer as its head, then each of its lists on
/// a line of its own one column in, each laid out on its own. So each list (field) is
/// rendered once and its text reused: a registrar's key is in tens of thousands of certs,
/// an epoch's validity in every cert of the vpxi. A field made only of atoms (a
/// signature's hash and value, `(propagate)`) is laid out here directly, by the printer's
/// rule; any other field is rendered by the advanced printer once per distinct field. An
/// object of another shape (an atom among its fields, a display hint, one that fits on a
/// line) goes through the advanced printer whole. `ElementTextTests` checks the bytes
/// against `SExprText.advanced.element` on random values and on every corpus output.
///
/// Not thread-safe (it remembers fields): one per thread.
struct ElementText {
    /// The advanced printer's line width.
    static let width = 72

    /// A field as it goes into an element: its line break and indentation, then its text
    /// laid out from column 1 with every line break followed by one more space; and its
    /// width when on one line (nil when the layout broke it across lines).
    struct Piece {
        let bytes: [UInt8]
        let flatWidth: Int?
    }

    /// A field's canonical bytes as a dictionary key, hashed as one block of memory (an
    /// `ArraySlice` key is hashed byte by byte: a key or a signature value is 256 of them).
    struct FieldKey: Hashable {
        let bytes: ArraySlice<UInt8>

        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }

        static func == (lhs: FieldKey, rhs: FieldKey) -> Bool { lhs.bytes == rhs.bytes }
    }

    private var pieces: [FieldKey: Piece] = [:]

    /// How many distinct fields it remembers before forgetting them all (a chunk of certs
    /// has a few dozen).
    static let capacity = 4096

    /// The element for the canonical bytes `canonical` (one expression).
    mutating func element(canonical: [UInt8]) -> [UInt8] {
        canonical.withUnsafeBufferPointer { bytes in
            shortcut(canonical, bytes) ?? Self.general(canonical)
        }
    }

    /// The element, or nil when the object is not of the shape the shortcut covers.
    mutating func shortcut(canonical: [UInt8]) -> [UInt8]? {
        canonical.withUnsafeBufferPointer { shortcut(canonical, $0) }
    }

    private mutating func shortcut(_ canonical: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard bytes.count > 2, bytes[0] == 0x28, let head = CanonicalBytes.atom(bytes, at: 1), head.hint == nil else { return nil }
        var headText: [UInt8] = []
        FlatRecord.atom(UnsafeBufferPointer(rebasing: bytes[head.bytes]), into: &headText)
        var fields: [Piece] = []
        var position = head.end
        while position < bytes.count, bytes[position] == 0x28 {
            guard let end = CanonicalBytes.end(bytes, at: position) else { return nil }
            let key = FieldKey(bytes: canonical[position..<end])
            if let piece = pieces[key] {
                fields.append(piece)
            } else if let piece = Self.atomsField(bytes, position..<end) {
                fields.append(piece)
            } else {
                guard let piece = Self.generalField(key.bytes) else { return nil }
                if pieces.count >= Self.capacity { pieces.removeAll(keepingCapacity: true) }
                pieces[key] = piece
                fields.append(piece)
            }
            position = end
        }
        guard position == bytes.count - 1, bytes[position] == 0x29, !fields.isEmpty else { return nil }
        // On one line when it fits: the general printer then (rare: no key in it).
        var flat = 2 + headText.count
        for field in fields {
            guard let width = field.flatWidth else {
                flat = Int.max
                break
            }
            flat += 1 + width
        }
        guard flat > Self.width else { return nil }
        var out: [UInt8] = [0x0A, 0x20, 0x28]
        out.reserveCapacity(fields.reduce(4 + headText.count) { $0 + $1.bytes.count })
        out += headText
        for field in fields { out += field.bytes }
        out.append(0x29)
        return out
    }

    /// A list of atoms without hints, laid out at column 1 as the advanced printer does: on
    /// one line when it fits; else its head, then each atom beside it while it fits (or
    /// would fit on no line), then the rest each on a line of its own.
    static func atomsField(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Piece? {
        var texts: [[UInt8]] = []
        var position = range.lowerBound + 1
        while position < range.upperBound - 1 {
            guard let atom = CanonicalBytes.atom(bytes, at: position), atom.hint == nil else { return nil }
            var text: [UInt8] = []
            FlatRecord.atom(UnsafeBufferPointer(rebasing: bytes[atom.bytes]), into: &text)
            texts.append(text)
            position = atom.end
        }
        guard !texts.isEmpty, position == range.upperBound - 1 else { return nil }
        let flatWidth = texts.reduce(1 + texts.count) { $0 + $1.count }
        var out: [UInt8] = [0x0A, 0x20, 0x20, 0x28]
        out.reserveCapacity(flatWidth + 8)
        out += texts[0]
        // Column 1 in the object, so column 2 past `(`.
        if 1 + flatWidth <= width {
            for text in texts.dropFirst() {
                out.append(0x20)
                out += text
            }
            out.append(0x29)
            return Piece(bytes: out, flatWidth: flatWidth)
        }
        let indent = 2
        var column = indent + texts[0].count
        var inHead = true
        var broken = false
        for text in texts.dropFirst() {
            if inHead && (column + 1 + text.count <= width || indent + text.count > width) {
                out.append(0x20)
                column += 1 + text.count
            } else {
                inHead = false
                broken = true
                out.append(0x0A)
                // The element's extra space, then the indentation.
                out += repeatElement(0x20, count: indent + 1)
                column = indent + text.count
            }
            out += text
        }
        out.append(0x29)
        return Piece(bytes: out, flatWidth: broken ? nil : flatWidth)
    }

    /// A field laid out by the advanced printer at column 1: as the only field of a list
    /// `(x FIELD)`, which puts it on a line of its own at column 1 when the whole does not
    /// fit, and leaves it on one line when it does (as it would be at column 1).
    static func generalField(_ field: ArraySlice<UInt8>) -> Piece? {
        let wrapped = Array("(1:x".utf8) + field + [0x29]
        guard let document = try? SExprParser(options: .init(canonicalOnly: true)).parse(wrapped) else { return nil }
        let printed = AdvancedPrinter(width: width).print(document)
        // `(x FIELD)\n` or `(x\n FIELD)\n`.
        guard printed.count > 5, printed[printed.count - 1] == 0x0A, printed[printed.count - 2] == 0x29 else { return nil }
        let start = printed[2] == 0x0A ? 4 : 3
        let text = printed[start..<(printed.count - 2)]
        var out: [UInt8] = [0x0A, 0x20, 0x20]
        out.reserveCapacity(text.count + text.count / 32 + 3)
        var broken = false
        for byte in text {
            out.append(byte)
            if byte == 0x0A {
                out.append(0x20)
                broken = true
            }
        }
        return Piece(bytes: out, flatWidth: broken ? nil : text.count)
    }

    /// The element through the advanced printer, whole.
    static func general(_ canonical: [UInt8]) -> [UInt8] {
        guard let value = try? SExprParser(options: .init(canonicalOnly: true)).parseOne(canonical) else {
            preconditionFailure("ElementText: not a canonical S-expression")
        }
        return SExprText.advanced.element(value)
    }
}

/// Walking canonical bytes (`(`, `)`, `[n:hint]`, `n:bytes`) without parsing them.
enum CanonicalBytes {
    /// The atom at `position`: its hint, its bytes and where it ends; nil when there is no
    /// well-formed atom there.
    static func atom(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int)
        -> (hint: Range<Int>?, bytes: Range<Int>, end: Int)? {
        var position = position
        var hint: Range<Int>?
        if position < bytes.count, bytes[position] == 0x5B {
            guard let (range, end) = string(bytes, at: position + 1), end < bytes.count, bytes[end] == 0x5D else { return nil }
            hint = range
            position = end + 1
        }
        guard let (range, end) = string(bytes, at: position) else { return nil }
        return (hint, range, end)
    }

    /// `n:bytes` at `position`.
    static func string(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> (Range<Int>, Int)? {
        var position = position
        var length = 0
        var digits = 0
        while position < bytes.count, bytes[position] &- 0x30 < 10 {
            length = length &* 10 &+ Int(bytes[position] &- 0x30)
            digits += 1
            position += 1
            guard digits <= 9 else { return nil }
        }
        guard digits > 0, position < bytes.count, bytes[position] == 0x3A, length <= bytes.count - position - 1 else { return nil }
        return (position + 1..<position + 1 + length, position + 1 + length)
    }

    /// Where the expression at `position` ends.
    static func end(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> Int? {
        guard position < bytes.count else { return nil }
        guard bytes[position] == 0x28 else { return atom(bytes, at: position)?.end }
        var position = position + 1
        var depth = 1
        while position < bytes.count {
            switch bytes[position] {
            case 0x28:
                depth += 1
                position += 1
            case 0x29:
                depth -= 1
                position += 1
                if depth == 0 { return position }
            default:
                guard let atom = atom(bytes, at: position) else { return nil }
                position = atom.end
            }
        }
        return nil
    }
}
