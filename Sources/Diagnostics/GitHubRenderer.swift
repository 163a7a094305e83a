/// GitHub Actions workflow commands, one per diagnostic:
/// `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=E0021::message`.
public struct GitHubRenderer: DiagnosticRenderer {
    public init() {}

    public func render(_ diagnostics: [Diagnostic], sources: SourceManager) -> String {
        var out = ""
        for diagnostic in diagnostics {
            let file = sources[diagnostic.range.file]
            let start = file.location(of: diagnostic.range.start)
            let end = file.location(of: diagnostic.range.end)
            let command: String
            switch diagnostic.severity {
            case .error: command = "error"
            case .warning: command = "warning"
            case .info: command = "notice"
            }
            var message = diagnostic.message
            if let help = diagnostic.help { message += "\nhelp: \(help)" }
            out += "::\(command) file=\(Self.escapeProperty(file.name)),line=\(start.line),col=\(start.column)"
            out += ",endLine=\(end.line),endColumn=\(end.column)"
            out += ",title=\(Self.escapeProperty(diagnostic.code.rawValue))::\(Self.escapeData(message))\n"
        }
        return out
    }

    static func escapeData(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.append(character)
            }
        }
        return out
    }

    static func escapeProperty(_ text: String) -> String {
        var out = ""
        for character in escapeData(text) {
            switch character {
            case ":": out += "%3A"
            case ",": out += "%2C"
            default: out.append(character)
            }
        }
        return out
    }
}
