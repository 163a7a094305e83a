/// One source file: its name as given by the user, its bytes, and a table of line
/// starts for turning byte offsets into lines and columns.
public final class SourceFile: Sendable {
    public let id: FileID
    public let name: String
    public let bytes: [UInt8]
    /// Byte offset at which each line starts; `lineStarts[0] == 0`.
    public let lineStarts: [UInt32]

    public init(id: FileID, name: String, bytes: [UInt8]) {
        self.id = id
        self.name = name
        self.bytes = bytes
        var starts: [UInt32] = [0]
        starts.reserveCapacity(bytes.count / 32 + 1)
        bytes.withUnsafeBufferPointer { buffer in
            for index in 0..<buffer.count where buffer[index] == 0x0A {
                starts.append(UInt32(index + 1))
            }
        }
        self.lineStarts = starts
    }

    public var lineCount: Int { lineStarts.count }

    /// The 0-based index of the line holding `offset`.
    public func lineIndex(of offset: UInt32) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// Line and UTF-8 byte column (both 1-based) of `offset`.
    public func location(of offset: UInt32) -> SourceLocation {
        let line = lineIndex(of: offset)
        return SourceLocation(line: line + 1, column: Int(offset - lineStarts[line]) + 1)
    }

    /// The column of `offset` counted in Unicode scalars (1-based), as SARIF's
    /// `unicodeCodePoints` column kind wants.
    public func scalarColumn(of offset: UInt32) -> Int {
        let line = lineIndex(of: offset)
        var column = 1
        var index = Int(lineStarts[line])
        let stop = min(Int(offset), bytes.count)
        while index < stop {
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return column
    }

    /// Byte range of the 0-based line `index`, without its line terminator.
    public func lineRange(_ index: Int) -> Range<Int> {
        let start = Int(lineStarts[index])
        var end = index + 1 < lineStarts.count ? Int(lineStarts[index + 1]) - 1 : bytes.count
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        return start..<max(start, end)
    }

    /// The text of the 0-based line `index` (invalid UTF-8 is repaired).
    public func lineText(_ index: Int) -> String {
        String(decoding: bytes[lineRange(index)], as: UTF8.self)
    }

    /// The text covered by `range`.
    public func text(_ range: SourceRange) -> String {
        let start = min(Int(range.start), bytes.count)
        let end = min(Int(range.end), bytes.count)
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
