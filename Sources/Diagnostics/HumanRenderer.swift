import ToolSupport

/// The format for people: a header, the `--> file:line:col` location, the source
/// line with a caret under the range, then notes and help. Colour only when asked
/// (callers pass `colour: true` only when writing to a terminal).
public struct HumanRenderer: DiagnosticRenderer {
    public let colour: Bool

    public init(colour: Bool = false) {
        self.colour = colour
    }

    public func render(_ diagnostics: [Diagnostic], sources: SourceManager) -> String {
        var out = ""
        for diagnostic in diagnostics {
            out += render(diagnostic, sources: sources)
        }
        return out
    }

    public func render(_ diagnostic: Diagnostic, sources: SourceManager) -> String {
        let file = sources[diagnostic.range.file]
        let gutter = gutterWidth(diagnostic, sources: sources)
        var out = paint("\(diagnostic.severity.rawValue)[\(diagnostic.code)]", style(for: diagnostic.severity))
        out += paint(": \(TerminalText.visible(diagnostic.message))", "1") + "\n"
        out += snippet(file: file, range: diagnostic.range, label: diagnostic.label.map(TerminalText.visible), gutter: gutter,
                       caretStyle: style(for: diagnostic.severity))
        for note in diagnostic.notes {
            if let range = note.range {
                let noteFile = sources[range.file]
                out += paint("note", "1;36") + ": \(TerminalText.visible(note.message))\n"
                out += snippet(file: noteFile, range: range, label: nil, gutter: gutter, caretStyle: "1;36")
            } else {
                out += String(repeating: " ", count: gutter + 1) + paint("=", "1;34") + " note: \(TerminalText.visible(note.message))\n"
            }
        }
        if let help = diagnostic.help {
            out += String(repeating: " ", count: gutter + 1) + paint("=", "1;34") + " help: \(TerminalText.visible(help))\n"
        }
        return out
    }

    private func gutterWidth(_ diagnostic: Diagnostic, sources: SourceManager) -> Int {
        var widest = sources[diagnostic.range.file].location(of: diagnostic.range.start).line
        for note in diagnostic.notes {
            if let range = note.range { widest = max(widest, sources[range.file].location(of: range.start).line) }
        }
        return String(widest).count
    }

    private func snippet(file: SourceFile, range: SourceRange, label: String?, gutter: Int, caretStyle: String) -> String {
        let location = file.location(of: range.start)
        let pad = String(repeating: " ", count: gutter)
        var out = "\(pad)" + paint("-->", "1;34") + " \(TerminalText.visible(file.name)):\(location)\n"
        out += "\(pad) " + paint("|", "1;34") + "\n"
        let lineIndex = location.line - 1
        let lineBytes = file.lineRange(lineIndex)
        let number = String(location.line)
        let startInLine = min(max(Int(range.start), lineBytes.lowerBound), lineBytes.upperBound)
        let endInLine = max(startInLine, min(Int(range.end), lineBytes.upperBound))
        let shown = SnippetLine(bytes: file.bytes, line: lineBytes, range: startInLine..<endInLine)
        out += String(repeating: " ", count: gutter - number.count) + paint(number, "1;34") + " " + paint("|", "1;34")
        out += shown.text.isEmpty ? "\n" : " \(shown.text)\n"
        let prefix = shown.caretIndent
        let width = shown.caretWidth
        var caret = String(repeating: "^", count: width)
        if let label { caret += " \(label)" }
        out += "\(pad) " + paint("|", "1;34") + " \(prefix)" + paint(caret, caretStyle) + "\n"
        return out
    }

    private func style(for severity: Severity) -> String {
        switch severity {
        case .error: return "1;31"
        case .warning: return "1;33"
        case .info: return "1;36"
        }
    }

    private func paint(_ text: String, _ style: String) -> String {
        colour ? "\u{1B}[\(style)m\(text)\u{1B}[0m" : text
    }
}
