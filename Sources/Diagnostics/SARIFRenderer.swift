/// SARIF 2.1.0 for code-scanning tools: one run, the tool's rule metadata, and one
/// result per diagnostic. Columns are Unicode code points (`columnKind`).
public struct SARIFRenderer: DiagnosticRenderer {
    public let toolName: String
    public let toolVersion: String
    /// Rules to describe; a diagnostic whose code is missing here still gets a rule
    /// entry built from its code alone.
    public let rules: [DiagnosticRule]
    /// An absolute URI that the rules' documentation paths are relative to, e.g. the
    /// repository's web view at a commit (`https://HOST/OWNER/REPO/blob/SHA/`). SARIF
    /// wants `helpUri` and `informationUri` absolute, so without a base they are left out
    /// and each rule carries its page's path in `help` and `properties.documentation`.
    public let helpBaseURI: String?

    public init(toolName: String, toolVersion: String, rules: [DiagnosticRule], helpBaseURI: String? = nil) {
        self.toolName = toolName
        self.toolVersion = toolVersion
        self.rules = rules
        self.helpBaseURI = helpBaseURI.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
    }

    /// A diagnostic that the sources suppress on purpose (`# spkic:ignore RULE REASON`),
    /// written as a result with an in-source suppression and its justification, so that
    /// code-scanning tools show it as suppressed rather than lose it.
    public struct Suppressed: Sendable, Hashable {
        public var diagnostic: Diagnostic
        public var justification: String

        public init(_ diagnostic: Diagnostic, justification: String) {
            self.diagnostic = diagnostic
            self.justification = justification
        }
    }

    public func render(_ diagnostics: [Diagnostic], sources: SourceManager) -> String {
        render(diagnostics, suppressed: [], sources: sources)
    }

    public func render(_ diagnostics: [Diagnostic], suppressed: [Suppressed], sources: SourceManager) -> String {
        document(diagnostics, suppressed: suppressed, sources: sources).serialized(pretty: true) + "\n"
    }

    public func document(_ diagnostics: [Diagnostic], suppressed: [Suppressed] = [], sources: SourceManager) -> JSONValue {
        var ruleList = rules
        var known = Set(rules.map(\.code))
        for diagnostic in diagnostics + suppressed.map(\.diagnostic) where !known.contains(diagnostic.code) {
            known.insert(diagnostic.code)
            ruleList.append(DiagnosticRule(code: diagnostic.code, name: diagnostic.code.rawValue,
                                           summary: diagnostic.code.rawValue,
                                           defaultSeverity: diagnostic.severity, documentation: ""))
        }
        var ruleIndex: [DiagnosticCode: Int] = [:]
        for (index, rule) in ruleList.enumerated() { ruleIndex[rule.code] = index }

        var driverMembers: [(String, JSONValue)] = [("name", .string(toolName)), ("version", .string(toolVersion))]
        if let helpBaseURI { driverMembers.append(("informationUri", .string(helpBaseURI))) }
        driverMembers.append(("rules", .array(ruleList.map(ruleObject))))
        let driver: JSONValue = .object(driverMembers)
        var results = diagnostics.map { result(for: $0, index: ruleIndex[$0.code] ?? 0, sources: sources) }
        for entry in suppressed {
            guard case .object(var members) = result(for: entry.diagnostic, index: ruleIndex[entry.diagnostic.code] ?? 0, sources: sources) else { continue }
            members.append(("suppressions", .array([.object([("kind", .string("inSource")), ("justification", .string(entry.justification))])])))
            results.append(.object(members))
        }
        return .object([
            ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
            ("version", .string("2.1.0")),
            ("runs", .array([
                .object([
                    ("tool", .object([("driver", driver)])),
                    ("columnKind", .string("unicodeCodePoints")),
                    ("results", .array(results)),
                ]),
            ])),
        ])
    }

    private func ruleObject(_ rule: DiagnosticRule) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(rule.code.rawValue)),
            ("name", .string(rule.name)),
            ("shortDescription", .object([("text", .string(rule.summary))])),
        ]
        if !rule.documentation.isEmpty {
            if let helpBaseURI { members.append(("helpUri", .string(helpBaseURI + Self.uri(rule.documentation)))) }
            members.append(("help", .object([
                ("text", .string("\(rule.summary); see \(rule.documentation)")),
                ("markdown", .string("\(rule.summary); see [\(rule.documentation)](\(helpBaseURI.map { $0 + Self.uri(rule.documentation) } ?? rule.documentation))")),
            ])))
        }
        members.append(("defaultConfiguration", .object([("level", .string(Self.level(rule.defaultSeverity)))])))
        var properties: [(String, JSONValue)] = []
        if !rule.documentation.isEmpty { properties.append(("documentation", .string(rule.documentation))) }
        if !rule.tags.isEmpty { properties.append(("tags", .array(rule.tags.map(JSONValue.string)))) }
        if !properties.isEmpty { members.append(("properties", .object(properties))) }
        return .object(members)
    }

    private func result(for diagnostic: Diagnostic, index: Int, sources: SourceManager) -> JSONValue {
        var text = diagnostic.message
        if let help = diagnostic.help { text += "\nhelp: \(help)" }
        var members: [(String, JSONValue)] = [
            ("ruleId", .string(diagnostic.code.rawValue)),
            ("ruleIndex", .int(index)),
            ("level", .string(Self.level(diagnostic.severity))),
            ("message", .object([("text", .string(text))])),
            ("locations", .array([.object([("physicalLocation", physicalLocation(diagnostic.range, sources: sources))])])),
        ]
        let related = diagnostic.notes.compactMap { note -> (Diagnostic.Note, SourceRange)? in
            note.range.map { (note, $0) }
        }
        if !related.isEmpty {
            members.append(("relatedLocations", .array(related.enumerated().map { offset, pair in
                .object([
                    ("id", .int(offset + 1)),
                    ("physicalLocation", physicalLocation(pair.1, sources: sources)),
                    ("message", .object([("text", .string(pair.0.message))])),
                ])
            })))
        }
        if !diagnostic.fixIts.isEmpty {
            members.append(("fixes", .array(diagnostic.fixIts.map { fix in
                .object([
                    ("description", .object([("text", .string(fix.message))])),
                    ("artifactChanges", .array(groupedByFile(fix.edits).map { file, edits in
                        .object([
                            ("artifactLocation", .object([("uri", .string(Self.uri(sources[file].name)))])),
                            ("replacements", .array(edits.map { edit in
                                .object([
                                    ("deletedRegion", region(edit.range, sources: sources)),
                                    ("insertedContent", .object([("text", .string(edit.replacement))])),
                                ])
                            })),
                        ])
                    })),
                ])
            })))
        }
        return .object(members)
    }

    private func groupedByFile(_ edits: [Diagnostic.TextEdit]) -> [(FileID, [Diagnostic.TextEdit])] {
        var order: [FileID] = []
        var groups: [FileID: [Diagnostic.TextEdit]] = [:]
        for edit in edits {
            if groups[edit.range.file] == nil { order.append(edit.range.file) }
            groups[edit.range.file, default: []].append(edit)
        }
        return order.map { ($0, groups[$0]!) }
    }

    private func physicalLocation(_ range: SourceRange, sources: SourceManager) -> JSONValue {
        .object([
            ("artifactLocation", .object([("uri", .string(Self.uri(sources[range.file].name)))])),
            ("region", region(range, sources: sources)),
        ])
    }

    private func region(_ range: SourceRange, sources: SourceManager) -> JSONValue {
        let file = sources[range.file]
        return .object([
            ("startLine", .int(file.location(of: range.start).line)),
            ("startColumn", .int(file.scalarColumn(of: range.start))),
            ("endLine", .int(file.location(of: range.end).line)),
            ("endColumn", .int(file.scalarColumn(of: range.end))),
        ])
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "note"
        }
    }

    /// A relative URI reference for a file name: unreserved characters and `/`
    /// kept, everything else percent-encoded.
    static func uri(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }
}
