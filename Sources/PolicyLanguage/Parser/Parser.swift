import Diagnostics

/// Thrown after a syntax error has been reported, to unwind to the nearest
/// construct that can recover (a block member or a declaration).
struct SyntaxFailure: Error {}

/// The recursive-descent parser. Works over the lexer's tokens with one token of
/// look-ahead. After an error it unwinds to the enclosing construct, which skips
/// to a synchronising token (`}`, or a keyword that starts a member or a
/// declaration at the start of a line), so each construct reports at most one
/// error.
struct Parser {
    var lexer: Lexer
    var token: Token
    var previousEnd: UInt32 = 0
    var bag: DiagnosticBag
    let file: FileID
    let bytes: UnsafeBufferPointer<UInt8>
    /// The error count when the current construct began: a construct whose lexer
    /// already reported an error adds no syntax error of its own.
    var constructMark = 0
    /// Set once an unclosed block is reported, so that the enclosing blocks,
    /// ended by the same token, are not reported too.
    var reportedUnclosed = false
    /// Set while skipping tokens after an error.
    var isSynchronising = false
    /// Where the tree's small lists are stored (see `SlabList`).
    var propertySlab = Slab<Property>()
    var identifierSlab = Slab<Identifier>()
    var locatorSlab = Slab<Locator>()
    var rightSlab = Slab<Right>()
    var argumentSlab = Slab<Right.Argument>()
    var endpointSlab = Slab<Endpoint>()
    var memberSlab = Slab<VPXIMember>()
    var expectationSlab = Slab<Expectation>()

    init(bytes: UnsafeBufferPointer<UInt8>, file: FileID, errorLimit: Int) {
        self.bytes = bytes
        self.file = file
        self.bag = DiagnosticBag(errorLimit: errorLimit)
        self.lexer = Lexer(bytes: bytes, file: file)
        self.token = Token(kind: .endOfFile, start: 0, end: 0)
        self.token = lexer.next()
        drainLexer()
    }

    // MARK: Tokens

    @inline(__always)
    mutating func advance() {
        previousEnd = token.end
        token = lexer.next()
        if !lexer.pending.isEmpty { drainLexer() }
    }

    /// Advances past a `locator` keyword (or a `,` between locators), scanning the
    /// next token as a raw address.
    mutating func advanceToLocator(acrossLines: Bool) {
        previousEnd = token.end
        token = lexer.nextLocator(acrossLines: acrossLines)
        if !lexer.pending.isEmpty { drainLexer() }
    }

    private mutating func drainLexer() {
        // While skipping after an error, lexical errors belong to the same broken
        // construct: they are dropped, not reported as a cascade.
        if !isSynchronising {
            for diagnostic in lexer.pending { bag.add(diagnostic) }
        }
        lexer.pending.removeAll(keepingCapacity: true)
    }

    var isAtEnd: Bool { token.kind == .endOfFile || bag.isFull }

    @inline(__always)
    func range(_ start: UInt32, _ end: UInt32) -> SourceRange {
        SourceRange(file: file, start: start, end: end)
    }

    var tokenRange: SourceRange { range(token.start, token.end) }

    @inline(__always)
    func text(_ token: Token) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(token.start)..<Int(token.end)]), as: UTF8.self)
    }

    /// Consumes an identifier (any, keywords included) as a name.
    mutating func takeIdentifier() -> Identifier {
        let identifier = Identifier(text(token), range: tokenRange)
        advance()
        return identifier
    }

    // MARK: Errors

    /// How the current token is named in "found ..." messages.
    var found: String {
        if token.kind == .endOfFile { return "end of file" }
        if token.isAtLineStart { return "end of line" }
        var shown = text(token)
        if shown.unicodeScalars.count > 24 { shown = String(shown.unicodeScalars.prefix(24)) + "..." }
        return token.kind == .string ? "string `\(shown)`" : "`\(shown)`"
    }

    /// The current token itself, for messages about it (never "end of line").
    var this: String {
        if token.kind == .endOfFile { return "end of file" }
        var shown = text(token)
        if shown.unicodeScalars.count > 24 { shown = String(shown.unicodeScalars.prefix(24)) + "..." }
        return token.kind == .string ? "string `\(shown)`" : "`\(shown)`"
    }

    /// Where to point when something is missing: at the current token if it is on
    /// the same line, else just after the previous token.
    var missingRange: SourceRange {
        token.isAtLineStart || token.kind == .endOfFile ? range(previousEnd, previousEnd) : tokenRange
    }

    /// Reports an error unless the current construct already has one.
    mutating func report(
        _ kind: SyntaxError, _ message: String, at range: SourceRange, label: String? = nil,
        notes: [Diagnostic.Note] = [], help: String? = nil, fixIts: [Diagnostic.FixIt] = []
    ) {
        guard bag.errorCount <= constructMark else { return }
        bag.add(Diagnostic(code: kind.code, message: message, range: range, label: label, notes: notes,
                           help: help, fixIts: fixIts))
    }

    /// Reports and unwinds.
    mutating func fail(
        _ kind: SyntaxError, _ message: String, at range: SourceRange, label: String? = nil,
        notes: [Diagnostic.Note] = [], help: String? = nil, fixIts: [Diagnostic.FixIt] = []
    ) -> SyntaxFailure {
        report(kind, message, at: range, label: label, notes: notes, help: help, fixIts: fixIts)
        return SyntaxFailure()
    }

    /// `did you mean `x`?` for a help line, when a candidate is close.
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        SpellingSuggestion.closest(to: word, in: candidates).map { "did you mean `\($0)`?" }
    }

    // MARK: Recovery

    /// Skips to the next top-level declaration keyword at the start of a line.
    mutating func synchroniseTopLevel() {
        isSynchronising = true
        defer { isSynchronising = false }
        var depth = 0
        while !isAtEnd {
            if depth == 0, token.isAtLineStart, token.keyword.isDeclaration { return }
            switch token.kind {
            case .leftBrace: depth += 1
            case .rightBrace: depth = max(0, depth - 1)
            default: break
            }
            advance()
        }
    }

    /// Skips to the end of the enclosing block (`}`, not consumed), or to the
    /// start of a line that begins a member of it, a member of a vpxi, or a
    /// declaration.
    mutating func synchroniseInBlock(startsMember: (Keyword) -> Bool) {
        isSynchronising = true
        defer { isSynchronising = false }
        var depth = 0
        while !isAtEnd {
            if depth == 0, token.isAtLineStart,
               token.keyword.isDeclaration || token.keyword.isVPXIMember || startsMember(token.keyword) {
                return
            }
            switch token.kind {
            case .leftBrace: depth += 1
            case .rightBrace:
                if depth == 0 { return }
                depth -= 1
            default: break
            }
            advance()
        }
    }

    /// Whether the current token ends a block that lacks its `}`: end of file, or
    /// (at the start of a line) a keyword that cannot continue the block.
    func endsUnclosedBlock(continuesBlock: (Keyword) -> Bool) -> Bool {
        if token.kind == .endOfFile { return true }
        guard token.isAtLineStart else { return false }
        let keyword = token.keyword
        if continuesBlock(keyword) { return false }
        return keyword.isDeclaration || keyword.isVPXIMember
    }

    /// Reports a block that is not closed, pointing at its `{`.
    mutating func reportUnclosed(_ what: String, open: SourceRange) {
        guard !reportedUnclosed else { return }
        reportedUnclosed = true
        let saved = constructMark
        constructMark = bag.errorCount
        let foundText = token.kind == .endOfFile ? "the file ends" : "`\(text(token))` starts a new declaration"
        report(.unclosedBlock, "unclosed `{` of \(what)", at: open, label: "opened here",
               notes: [Diagnostic.Note("\(foundText) before the `}`", at: range(token.start, token.end))],
               help: "add `}` where the \(what) ends")
        constructMark = saved
    }
}
