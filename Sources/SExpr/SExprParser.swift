/// Parses S-expressions in any mix of canonical, advanced and transport forms
/// (RFC 9804) into an `SExprDocument`.
///
/// The parser is iterative (an explicit stack of open lists), so hostile nesting cannot
/// overflow the call stack, and it checks every declared length against the input that
/// is left before it allocates anything.
public struct SExprParser: Sendable {
    public struct Options: Sendable, Hashable {
        /// The deepest list nesting accepted.
        public var maxDepth: Int
        /// Accept only the canonical form (for checking bytes that are meant to be signed).
        public var canonicalOnly: Bool

        public init(maxDepth: Int = 1024, canonicalOnly: Bool = false) {
            self.maxDepth = maxDepth
            self.canonicalOnly = canonicalOnly
        }
    }

    public let options: Options

    public init(options: Options = .init()) {
        self.options = options
    }

    /// Parses every top-level expression in `bytes`. Empty input (or input holding only
    /// whitespace and comments) is an error.
    public func parse(_ bytes: [UInt8]) throws(SExprError) -> SExprDocument {
        guard bytes.count < Int(Int32.max) else {
            throw SExprError(code: .inputTooLarge, offset: 0, line: 1, column: 1,
                             expected: "less than 2 GiB", found: "\(bytes.count) bytes",
                             message: "the input is \(bytes.count) bytes; a document holds less than 2 GiB")
        }
        var core = ParserCore(source: bytes, options: options)
        defer { core.deallocate() }
        try bytes.withUnsafeBufferPointer { (buffer) throws(SExprError) in
            try core.parseTopLevel(buffer)
        }
        return SExprDocument(source: bytes, decoded: core.decoded, nodes: core.takeNodes(),
                             hints: core.hints, rootCount: core.rootCount)
    }

    /// Parses exactly one expression.
    public func parseOne(_ bytes: [UInt8]) throws(SExprError) -> SExpr {
        let document = try parse(bytes)
        guard document.rootCount == 1 else {
            let second = document.roots[1]
            let offset = document.sourceOffset(second) ?? 0
            throw ParserCore.error(.unexpectedCharacter, in: bytes, at: offset,
                                   expected: "end of input after one expression",
                                   found: "another expression",
                                   message: "expected one expression, found \(document.rootCount)")
        }
        return document.value(0)
    }
}
