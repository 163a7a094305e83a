/// Text that came from outside (a file's bytes, a name given on the command line, a
/// server's message) made safe to print on a terminal: control characters are shown as
/// Unicode's Control Pictures (`␛` for ESC), C1 controls, bidirectional overrides and
/// isolates and zero-width characters as `<U+202E>`, so that nothing printed can move the
/// cursor, recolour or retitle the terminal, or reorder what the reader sees (Trojan
/// Source, CVE-2021-42574). Every message the toolkit prints about its input goes through
/// it: the diagnostics' renderer and the command failures (`FailureReport`).
public enum TerminalText {
    /// `text` with every unsafe scalar made visible; line breaks (and tabs) are kept.
    public static func visible(_ text: String) -> String {
        // The common case, nothing to change, without building a new string.
        guard text.unicodeScalars.contains(where: { visible($0) != nil }) else { return text }
        return text.unicodeScalars.map { $0 == "\n" ? "\n" : visible($0) ?? String($0) }.joined()
    }

    /// How `scalar` is shown when it cannot be printed as itself; nil when it can (a tab
    /// is printed as itself).
    public static func visible(_ scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x09:
            return nil
        case 0x00...0x1F:
            return String(Unicode.Scalar(0x2400 + scalar.value)!)
        case 0x7F:
            return "\u{2421}"
        case 0x80...0x9F, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2069, 0x061C, 0xFEFF:
            return "<" + scalar.codePoint + ">"
        default:
            return nil
        }
    }
}

extension Unicode.Scalar {
    /// The scalar's code point as Unicode writes it: `U+202E`, at least four digits.
    public var codePoint: String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
