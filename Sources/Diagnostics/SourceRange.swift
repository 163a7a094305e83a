/// Identifies one file registered with a `SourceManager`.
public struct FileID: Hashable, Comparable, Sendable {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    public static func < (lhs: FileID, rhs: FileID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A half-open range of UTF-8 byte offsets `start..<end` in one source file.
/// Twelve bytes, so that every AST node can afford to carry one.
public struct SourceRange: Hashable, Comparable, Sendable {
    public var file: FileID
    public var start: UInt32
    public var end: UInt32

    public init(file: FileID, start: UInt32, end: UInt32) {
        self.file = file
        self.start = start
        self.end = max(start, end)
    }

    /// The empty range at `offset`.
    public init(file: FileID, at offset: UInt32) {
        self.init(file: file, start: offset, end: offset)
    }

    public var length: Int { Int(end - start) }

    /// The smallest range covering both (same file assumed).
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(file: file, start: min(start, other.start), end: max(end, other.end))
    }

    public static func < (lhs: SourceRange, rhs: SourceRange) -> Bool {
        (lhs.file, lhs.start, lhs.end) < (rhs.file, rhs.start, rhs.end)
    }
}

/// A human position: 1-based line, 1-based column counted in UTF-8 bytes.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}
