import Diagnostics

/// The kinds of token of the `.vp` language.
public enum TokenKind: UInt8, Sendable {
    case endOfFile
    case identifier
    case number
    case string
    case dateTime
    /// A raw address word, scanned only after `locator`.
    case locator
    case leftBrace, rightBrace, leftBracket, rightBracket, leftParen, rightParen
    case comma
    case dotDot
    case biArrow
    case arrow
    case greaterEqual
    case lessEqual
    case slash
    case star
}

/// One token: twelve bytes, no heap. Its text is `source[start..<end]`.
public struct Token: Sendable, Hashable {
    public var kind: TokenKind
    /// The keyword an identifier spells, or `.none`. Keywords are contextual: where
    /// a name is expected, any identifier is accepted.
    public var keyword: Keyword
    /// Whether this is the first token on its line.
    public var isAtLineStart: Bool
    public var start: UInt32
    public var end: UInt32

    public init(kind: TokenKind, keyword: Keyword = .none, isAtLineStart: Bool = false, start: UInt32, end: UInt32) {
        self.kind = kind
        self.keyword = keyword
        self.isAtLineStart = isAtLineStart
        self.start = start
        self.end = end
    }
}
