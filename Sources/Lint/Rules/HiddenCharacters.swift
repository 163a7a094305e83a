import Diagnostics
import PolicyLanguage
import ToolSupport

/// Characters that change how a line is displayed without being seen: the Unicode
/// bidirectional controls ("Trojan Source", CVE-2021-42574) and zero-width
/// characters, in a comment or a string. A reviewer reading the policy in an editor
/// or a web view sees text in another order, or two names that look the same;
/// the compiler reads the bytes. (Anywhere else the lexer already refuses them.)
/// The fix-it deletes the character; a string that needs one can say `\u{...}`.
struct HiddenCharacters: LintRule {
    static let descriptor = RuleDescriptor(
        id: "hidden-characters", category: .security, defaultLevel: .error,
        summary: "a bidirectional control or zero-width character in a comment or a string", hasFixIt: true)

    /// The characters the rule reports, with their Unicode names.
    static let names: [UInt32: String] = [
        0x061C: "ARABIC LETTER MARK", 0x200E: "LEFT-TO-RIGHT MARK", 0x200F: "RIGHT-TO-LEFT MARK",
        0x202A: "LEFT-TO-RIGHT EMBEDDING", 0x202B: "RIGHT-TO-LEFT EMBEDDING", 0x202C: "POP DIRECTIONAL FORMATTING",
        0x202D: "LEFT-TO-RIGHT OVERRIDE", 0x202E: "RIGHT-TO-LEFT OVERRIDE", 0x2066: "LEFT-TO-RIGHT ISOLATE",
        0x2067: "RIGHT-TO-LEFT ISOLATE", 0x2068: "FIRST STRONG ISOLATE", 0x2069: "POP DIRECTIONAL ISOLATE",
        0x200B: "ZERO WIDTH SPACE", 0x200C: "ZERO WIDTH NON-JOINER", 0x200D: "ZERO WIDTH JOINER",
        0x2060: "WORD JOINER", 0xFEFF: "ZERO WIDTH NO-BREAK SPACE",
    ]

    func check(_ context: LintContext) -> [LintFinding] {
        context.files.flatMap { file in
            Self.occurrences(in: file.source.bytes).map { occurrence in
                let range = SourceRange(file: file.source.id, start: UInt32(occurrence.bytes.lowerBound),
                                        end: UInt32(occurrence.bytes.upperBound))
                let code = Self.codePoint(occurrence.scalar)
                let name = Self.names[occurrence.scalar.value] ?? "format character"
                let bidirectional = !(0x200B...0x200D).contains(occurrence.scalar.value)
                    && occurrence.scalar.value != 0x2060 && occurrence.scalar.value != 0xFEFF
                let effect = bidirectional
                    ? "it changes the order in which the rest of the line is displayed, so what a reviewer reads is not what the compiler reads"
                    : "it is invisible, so two texts that look the same differ"
                let help = occurrence.place == .string
                    ? "delete it; if the string really needs it, write it as the escape `\\u{\(String(occurrence.scalar.value, radix: 16))}` so that it shows"
                    : "delete it"
                return finding("\(code) \(name) in a \(occurrence.place.rawValue): \(effect)", at: range,
                               label: "hidden \(code)", help: help,
                               fixIts: [.replace(range, with: "", "delete \(code)")])
            }
        }
    }

    /// Where a reported character sits.
    enum Place: String { case comment, string }

    struct Occurrence: Equatable {
        let bytes: Range<Int>
        let scalar: Unicode.Scalar
        let place: Place
    }

    /// `U+202E`.
    static func codePoint(_ scalar: Unicode.Scalar) -> String { scalar.codePoint }

    /// Every reported character of a policy's bytes, in a comment (`#` to the end of
    /// the line, outside a string) or a string (`"..."`, `\` escaping the next byte).
    /// A byte order mark at the very start is not reported.
    static func occurrences(in bytes: [UInt8]) -> [Occurrence] {
        var found: [Occurrence] = []
        var index = 0
        var inString = false, inComment = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                switch byte {
                case 0x0A: inString = false; inComment = false
                case UInt8(ascii: "\\") where inString: index += 1
                case UInt8(ascii: "\"") where !inComment: inString.toggle()
                case UInt8(ascii: "#") where !inString: inComment = true
                default: break
                }
                index += 1
                continue
            }
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            let end = min(bytes.count, index + length)
            if length >= 2, let scalar = String(validating: bytes[index..<end], as: UTF8.self)?.unicodeScalars.first,
               names[scalar.value] != nil, !(scalar.value == 0xFEFF && index == 0), inString || inComment {
                found.append(Occurrence(bytes: index..<end, scalar: scalar, place: inString ? .string : .comment))
            }
            index = end
        }
        return found
    }
}
