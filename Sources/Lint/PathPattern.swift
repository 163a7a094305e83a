/// Glob matching for ignored paths: `*` matches within one path segment, `**` across
/// segments, `?` one character; a pattern naming a directory matches everything under it.
enum PathPattern {
    static func matches(_ pattern: String, _ path: String) -> Bool {
        var trimmed = pattern
        if trimmed.hasPrefix("./") { trimmed.removeFirst(2) }
        if trimmed.hasSuffix("/") { trimmed += "**" }
        if match(Array(trimmed.utf8)[...], Array(path.utf8)[...]) { return true }
        // A directory pattern: `generated` matches `generated/a.vp`.
        return !trimmed.contains("*") && path.hasPrefix(trimmed + "/")
    }

    private static func match(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        let slash = UInt8(ascii: "/")
        if first == UInt8(ascii: "*") {
            let rest = pattern.dropFirst()
            if rest.first == UInt8(ascii: "*") {
                // `**`: any characters, slashes included; `**/` may also match nothing.
                var after = rest.dropFirst()
                if after.first == slash, match(after.dropFirst(), text) { return true }
                after = rest.dropFirst()
                var index = text.startIndex
                while true {
                    if match(after, text[index...]) { return true }
                    if index == text.endIndex { return false }
                    index += 1
                }
            }
            var index = text.startIndex
            while true {
                if match(rest, text[index...]) { return true }
                if index == text.endIndex || text[index] == slash { return false }
                index += 1
            }
        }
        guard let character = text.first else { return false }
        if first == UInt8(ascii: "?") ? character != slash : first == character {
            return match(pattern.dropFirst(), text.dropFirst())
        }
        return false
    }
}
