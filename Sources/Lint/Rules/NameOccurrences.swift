import Diagnostics

/// Where a name is written as a whole word in a file, outside strings and comments: what
/// the `naming` rule's rename fix-it edits.
enum NameOccurrences {
    static func ranges(of name: String, in file: SourceFile, within limit: Range<Int>? = nil) -> [SourceRange] {
        let bytes = file.bytes
        let target = Array(name.utf8)
        var ranges: [SourceRange] = []
        var index = limit?.lowerBound ?? 0
        let end = min(limit?.upperBound ?? bytes.count, bytes.count)
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "#") {
                while index < end, bytes[index] != 0x0A { index += 1 }
            } else if byte == UInt8(ascii: "\"") {
                index += 1
                while index < end, bytes[index] != UInt8(ascii: "\""), bytes[index] != 0x0A {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                index += 1
            } else if isWord(byte) {
                let start = index
                while index < end, isWord(bytes[index]) { index += 1 }
                if index - start == target.count, bytes[start..<index].elementsEqual(target) {
                    ranges.append(SourceRange(file: file.id, start: UInt32(start), end: UInt32(index)))
                }
            } else {
                index += 1
            }
        }
        return ranges
    }

    static func isWord(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            || byte >= 0x80
    }
}
