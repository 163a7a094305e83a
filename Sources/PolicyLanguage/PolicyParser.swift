import Diagnostics

/// The entry point of the front end: parses one `.vp` file into a `PolicyFile`
/// and its diagnostics, sorted by position.
public enum PolicyParser {
    public struct Options: Sendable {
        /// Parsing stops after this many errors.
        public var errorLimit: Int

        public init(errorLimit: Int = 20) {
            self.errorLimit = errorLimit
        }
    }

    public struct Result: Sendable {
        public let policy: PolicyFile
        public let diagnostics: [Diagnostic]
        /// Errors not reported because the limit was reached.
        public let droppedErrors: Int
        /// Whether parsing stopped early at the error limit.
        public let reachedErrorLimit: Bool

        public var hasErrors: Bool { diagnostics.hasErrors }
    }

    public static func parse(_ file: SourceFile, options: Options = Options()) -> Result {
        file.bytes.withUnsafeBufferPointer { bytes in
            var parser = Parser(bytes: bytes, file: file.id, errorLimit: options.errorLimit)
            let declarations = parser.parsePolicy()
            let policy = PolicyFile(file: file.id, declarations: declarations, comments: parser.lexer.comments)
            return Result(policy: policy, diagnostics: parser.bag.diagnostics.sortedByLocation(),
                          droppedErrors: parser.bag.droppedErrors, reachedErrorLimit: parser.bag.isFull)
        }
    }
}
