import Diagnostics

/// A network address of a host, IPv4 or IPv6, possibly with a template
/// `{index}`, `{N+index}` in its last part for host ranges: `192.0.2.{10+index}`.
public struct Locator: Hashable, Sendable {
    public enum Family: String, Sendable {
        case ipv4, ipv6
    }

    /// The address as written.
    public var text: String
    public var range: SourceRange
    public var family: Family
    private var storedOffset: UInt32?

    public init(text: String, family: Family, templateOffset: Int?, range: SourceRange) {
        self.text = text
        self.family = family
        self.storedOffset = templateOffset.map { UInt32(clamping: $0) }
        self.range = range
    }

    /// The `N` of `{N+index}` (0 for `{index}`); nil without a template.
    public var templateOffset: Int? { storedOffset.map(Int.init) }

    /// The address for the host of index `index`: the template replaced by
    /// `index + N` (in decimal for IPv4, hexadecimal for IPv6).
    public func address(forIndex index: Int) -> String {
        guard let offset = templateOffset, let open = text.firstIndex(of: "{"),
              let close = text[open...].firstIndex(of: "}") else { return text }
        let value = index + offset
        let rendered = family == .ipv4 ? String(value) : String(value, radix: 16)
        return String(text[..<open]) + rendered + String(text[text.index(after: close)...])
    }
}
