/// An S-expression value (RFC 9804): an atom (an octet string with an optional display
/// hint) or a list of values.
///
/// Values keep the exact bytes of atoms and hints, so two values are equal, and hash the
/// same, exactly when their canonical encodings are equal.
///
/// Build values with literals:
/// ```swift
/// let cert: SExpr = ["cert", ["issuer", issuerKey], ["tag", ["*"]]]
/// ```
public indirect enum SExpr: Hashable, Sendable {
    case atom(Atom)
    case list([SExpr])

    /// An atom: its bytes and an optional display hint (`[hint]bytes`).
    public struct Atom: Hashable, Sendable {
        public var bytes: [UInt8]
        public var hint: [UInt8]?

        public init(_ bytes: [UInt8], hint: [UInt8]? = nil) {
            self.bytes = bytes
            self.hint = hint
        }

        public init(_ text: String, hint: String? = nil) {
            self.bytes = Array(text.utf8)
            self.hint = hint.map { Array($0.utf8) }
        }

        /// The bytes as UTF-8 text, or `nil` when they are not valid UTF-8.
        public var text: String? { String(validating: bytes, as: UTF8.self) }
    }
}

extension SExpr {
    /// An atom of raw bytes, with an optional hint.
    public static func bytes(_ bytes: [UInt8], hint: [UInt8]? = nil) -> SExpr {
        .atom(Atom(bytes, hint: hint))
    }

    /// An atom of UTF-8 text, with an optional hint.
    public static func string(_ text: String, hint: String? = nil) -> SExpr {
        .atom(Atom(text, hint: hint))
    }

    /// Whether this is an atom.
    public var isAtom: Bool {
        if case .atom = self { return true }
        return false
    }

    /// The atom, if this is one.
    public var atomValue: Atom? {
        if case .atom(let atom) = self { return atom }
        return nil
    }

    /// The atom's bytes, if this is an atom.
    public var atomBytes: [UInt8]? { atomValue?.bytes }

    /// The atom's bytes as UTF-8 text, if this is an atom holding valid UTF-8.
    public var text: String? { atomValue?.text }

    /// The elements, if this is a list.
    public var listValue: [SExpr]? {
        if case .list(let items) = self { return items }
        return nil
    }

    /// The head of a list as text: `cert` for `(cert ...)`. `nil` for atoms, empty lists
    /// and lists whose first element is not a hint-less text atom.
    public var head: String? {
        guard case .list(let items) = self, let first = items.first,
              case .atom(let atom) = first, atom.hint == nil else { return nil }
        return atom.text
    }

    /// The elements after the head of a list (empty for an atom).
    public var tail: ArraySlice<SExpr> {
        guard case .list(let items) = self, !items.isEmpty else { return [] }
        return items.dropFirst()
    }

    /// The first element of this list that is a list headed by `name`.
    public func first(_ name: String) -> SExpr? {
        guard case .list(let items) = self else { return nil }
        return items.first { $0.head == name }
    }
}

extension SExpr: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .atom(Atom(value))
    }
}

extension SExpr: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: SExpr...) {
        self = .list(elements)
    }
}

extension SExpr: CustomStringConvertible {
    /// The advanced form on one line, for messages and debugging.
    public var description: String {
        String(decoding: AdvancedPrinter(width: 0).print(self), as: UTF8.self)
    }
}
