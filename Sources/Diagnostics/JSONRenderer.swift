/// Machine-readable output: one JSON object per diagnostic, one per line.
/// Lines and columns are 1-based; columns count UTF-8 bytes.
public struct JSONRenderer: DiagnosticRenderer {
    /// Prefix of each code's documentation page, e.g. `Docs/diagnostics/`.
    public let documentationBase: String
    /// Pages of codes documented elsewhere than under `documentationBase` (lint rules).
    public let documentation: [DiagnosticCode: String]

    public init(documentationBase: String = "Docs/diagnostics/", documentation: [DiagnosticCode: String] = [:]) {
        self.documentationBase = documentationBase
        self.documentation = documentation
    }

    public func render(_ diagnostics: [Diagnostic], sources: SourceManager) -> String {
        diagnostics.map { object(for: $0, sources: sources).serialized() + "\n" }.joined()
    }

    public func object(for diagnostic: Diagnostic, sources: SourceManager) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("code", .string(diagnostic.code.rawValue)),
            ("severity", .string(diagnostic.severity.rawValue)),
            ("message", .string(diagnostic.message)),
        ]
        members += Self.position(diagnostic.range, sources: sources)
        members.append(("label", diagnostic.label.map(JSONValue.string) ?? .null))
        members.append(("notes", .array(diagnostic.notes.map { note in
            var fields: [(String, JSONValue)] = [("message", .string(note.message))]
            if let range = note.range { fields += Self.position(range, sources: sources) }
            return .object(fields)
        })))
        members.append(("help", diagnostic.help.map(JSONValue.string) ?? .null))
        members.append(("fixIts", .array(diagnostic.fixIts.map { fix in
            .object([
                ("message", .string(fix.message)),
                ("edits", .array(fix.edits.map { edit in
                    .object(Self.position(edit.range, sources: sources) + [("replacement", .string(edit.replacement))])
                })),
            ])
        })))
        members.append(("documentation", .string(documentation[diagnostic.code] ?? "\(documentationBase)\(diagnostic.code.rawValue).md")))
        return .object(members)
    }

    static func position(_ range: SourceRange, sources: SourceManager) -> [(String, JSONValue)] {
        let file = sources[range.file]
        let start = file.location(of: range.start)
        let end = file.location(of: range.end)
        return [
            ("file", .string(file.name)),
            ("line", .int(start.line)), ("column", .int(start.column)),
            ("endLine", .int(end.line)), ("endColumn", .int(end.column)),
        ]
    }
}
