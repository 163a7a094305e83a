/// One diagnostic, as plain data. Every rendering (human, JSON, SARIF, GitHub) is
/// made from these values and nothing else.
public struct Diagnostic: Sendable, Hashable {
    public var code: DiagnosticCode
    public var severity: Severity
    /// One line, lowercase, no final period, user input in backticks.
    public var message: String
    /// The primary range.
    public var range: SourceRange
    /// A few words printed beside the caret, e.g. `not declared`.
    public var label: String?
    public var notes: [Note]
    /// How to fix it, printed as `= help: ...`.
    public var help: String?
    public var fixIts: [FixIt]

    public init(
        code: DiagnosticCode, severity: Severity = .error, message: String, range: SourceRange,
        label: String? = nil, notes: [Note] = [], help: String? = nil, fixIts: [FixIt] = []
    ) {
        self.code = code
        self.severity = severity
        self.message = message
        self.range = range
        self.label = label
        self.notes = notes
        self.help = help
        self.fixIts = fixIts
    }

    /// A secondary message, optionally pointing somewhere else in the sources.
    public struct Note: Sendable, Hashable {
        public var message: String
        public var range: SourceRange?

        public init(_ message: String, at range: SourceRange? = nil) {
            self.message = message
            self.range = range
        }
    }

    /// A machine-applicable fix: a set of text replacements.
    public struct FixIt: Sendable, Hashable {
        public var message: String
        public var edits: [TextEdit]

        public init(_ message: String, edits: [TextEdit]) {
            self.message = message
            self.edits = edits
        }

        /// A single replacement.
        public static func replace(_ range: SourceRange, with text: String, _ message: String) -> FixIt {
            FixIt(message, edits: [TextEdit(range: range, replacement: text)])
        }
    }

    /// Replace the bytes of `range` with `replacement` (an insertion when empty).
    public struct TextEdit: Sendable, Hashable {
        public var range: SourceRange
        public var replacement: String

        public init(range: SourceRange, replacement: String) {
            self.range = range
            self.replacement = replacement
        }
    }
}

extension Array where Element == Diagnostic {
    /// Sorted by file and position, stable for equal positions.
    public func sortedByLocation() -> [Diagnostic] {
        enumerated().sorted { lhs, rhs in
            if lhs.element.range != rhs.element.range { return lhs.element.range < rhs.element.range }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }

    public var errorCount: Int { lazy.filter { $0.severity == .error }.count }
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
