import SExpr

/// Writes one S-expression on one line in the advanced form, straight into a byte buffer:
/// the same bytes as `SExpr.description` (`AdvancedPrinter(width: 0)`) without building a
/// value and a document first. The manifest's records are written with it.
///
/// An atom is a token when it does not start with a digit and holds only letters, digits
/// and `- . / _ : * + =`; a quoted string (`"` and `\` escaped) when it is printable
/// ASCII; `|base64|` otherwise. A display hint is written `[hint]` before its atom.
struct FlatRecord {
    private(set) var bytes: [UInt8] = []
    /// Whether the next element needs a space before it.
    private var needsSpace = false

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Opens a list headed by the token `head`: `(head`.
    mutating func open(_ head: StaticString) {
        separate()
        bytes.append(0x28)
        head.withUTF8Buffer { bytes.append(contentsOf: $0) }
        needsSpace = true
    }

    /// Closes the innermost list.
    mutating func close() {
        bytes.append(0x29)
        needsSpace = true
    }

    /// An atom of UTF-8 text.
    mutating func string(_ text: String) {
        separate()
        var text = text
        text.withUTF8 { Self.atom($0, into: &bytes) }
        needsSpace = true
    }

    /// `(head "text")`.
    mutating func field(_ head: StaticString, _ text: String) {
        open(head)
        string(text)
        close()
    }

    /// `(head "number")`.
    mutating func field(_ head: StaticString, _ number: Int) {
        field(head, String(number))
    }

    /// Any value, as `SExpr.description` prints it.
    mutating func value(_ value: SExpr) {
        separate()
        switch value {
        case .atom(let atom):
            if let hint = atom.hint {
                bytes.append(0x5B)
                hint.withUnsafeBufferPointer { Self.atom($0, into: &bytes) }
                bytes.append(0x5D)
            }
            atom.bytes.withUnsafeBufferPointer { Self.atom($0, into: &bytes) }
            needsSpace = true
        case .list(let items):
            bytes.append(0x28)
            needsSpace = false
            for item in items { self.value(item) }
            close()
        }
    }

    private mutating func separate() {
        if needsSpace { bytes.append(0x20) }
        needsSpace = false
    }

    /// Letters, digits and `- . / _ : * + =`.
    @inline(__always)
    static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "_"), UInt8(ascii: ":"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }

    static func atom(_ atom: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        if let first = atom.first, first &- 0x30 >= 10, atom.allSatisfy(isTokenByte) {
            out.append(contentsOf: atom)
            return
        }
        if atom.contains(where: { $0 < 0x20 || $0 > 0x7E }) {
            out.append(0x7C)
            Base64.encode(atom, into: &out)
            out.append(0x7C)
            return
        }
        out.append(0x22)
        for c in atom {
            if c == 0x22 || c == 0x5C { out.append(0x5C) }
            out.append(c)
        }
        out.append(0x22)
    }
}
