import Diagnostics

/// An access right: `ssh`, `console`, `file(read, write, "/data/study-42")`, or
/// `*` for every right.
public struct Right: Hashable, Sendable {
    public enum Argument: Hashable, Sendable {
        case name(Identifier)
        case text(StringLiteral)

        public var range: SourceRange {
            switch self {
            case .name(let name): return name.range
            case .text(let text): return text.range
            }
        }
    }

    /// The right's name; `*` for all rights.
    public var name: Identifier
    /// The arguments between parentheses; nil without parentheses.
    public var arguments: SlabList<Argument>?
    public var range: SourceRange

    public init(name: Identifier, arguments: SlabList<Argument>?, range: SourceRange) {
        self.name = name
        self.arguments = arguments
        self.range = range
    }

    public var isWildcard: Bool { name.text == "*" }
}
