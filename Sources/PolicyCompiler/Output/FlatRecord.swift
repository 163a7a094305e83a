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

    /// The expression whose canonical bytes are `bytes[range]`, as `value` writes its value
    /// (without building it); false, and nothing written, when they are not well formed.
    mutating func canonical(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        let start = self.bytes.count, spaced = needsSpace
        var position = range.lowerBound
        var depth = 0
        var wellFormed = true
        while wellFormed, position < range.upperBound {
            switch bytes[position] {
            case 0x28:
                separate()
                self.bytes.append(0x28)
                depth += 1
                position += 1
            case 0x29:
                if depth == 0 {
                    wellFormed = false
                } else {
                    close()
                    depth -= 1
                    position += 1
                }
            default:
                if let atom = CanonicalBytes.atom(bytes, at: position), atom.end <= range.upperBound {
                    separate()
                    if let hint = atom.hint {
                        self.bytes.append(0x5B)
                        Self.atom(UnsafeBufferPointer(rebasing: bytes[hint]), into: &self.bytes)
                        self.bytes.append(0x5D)
                    }
                    Self.atom(UnsafeBufferPointer(rebasing: bytes[atom.bytes]), into: &self.bytes)
                    needsSpace = true
                    position = atom.end
                } else {
                    wellFormed = false
                }
            }
        }
        guard wellFormed, depth == 0 else {
            self.bytes.removeSubrange(start...)
            needsSpace = spaced
            return false
        }
        return true
    }

    private mutating func separate() {
        if needsSpace { bytes.append(0x20) }
        needsSpace = false
    }

    static func atom(_ atom: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        AdvancedPrinter.appendAtom(atom, into: &out)
    }
}
