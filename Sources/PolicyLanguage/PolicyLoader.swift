import Diagnostics

/// Loads policy files and, transitively, the files they `include`, parsing each
/// once. File access is injected (`read`), so the library itself does no I/O.
public struct PolicyLoader {
    /// Reads a file by path: its bytes, or a reason it could not be read.
    public typealias Reader = (String) -> Swift.Result<[UInt8], ReadFailure>

    public struct ReadFailure: Error, Sendable {
        public let reason: String

        public init(reason: String) {
            self.reason = reason
        }
    }

    /// One parsed file.
    public struct LoadedFile: Sendable {
        public let path: String
        public let source: SourceFile
        public let policy: PolicyFile
    }

    /// Everything loaded: the files in the order first reached, their diagnostics
    /// (sorted), and the command-line files that could not be read at all.
    public struct Loaded: Sendable {
        public var sources = SourceManager()
        public var files: [LoadedFile] = []
        public var diagnostics: [Diagnostic] = []
        public var unreadable: [(path: String, reason: String)] = []
        /// The files whose parsing stopped at the error limit.
        public var stoppedAtErrorLimit: [String] = []
    }

    private let read: Reader
    private let options: PolicyParser.Options
    private let followIncludes: Bool

    public init(options: PolicyParser.Options = .init(), followIncludes: Bool = true, read: @escaping Reader) {
        self.options = options
        self.followIncludes = followIncludes
        self.read = read
    }

    public func load(_ paths: [String]) -> Loaded {
        var result = Loaded()
        var visited = Set<String>()
        for path in paths {
            switch read(path) {
            case .failure(let failure):
                result.unreadable.append((path, failure.reason))
            case .success(let bytes):
                let key = Self.normalize(path)
                guard !visited.contains(key) else { continue }
                visited.insert(key)
                var stack = [key]
                add(path: path, bytes: bytes, into: &result, visited: &visited, stack: &stack)
            }
        }
        result.diagnostics = result.diagnostics.sortedByLocation()
        return result
    }

    private func add(path: String, bytes: [UInt8], into result: inout Loaded, visited: inout Set<String>, stack: inout [String]) {
        let source = result.sources.add(name: path == "-" ? Self.standardInputName : path, bytes: bytes)
        let parsed = PolicyParser.parse(source, options: options)
        result.files.append(LoadedFile(path: path, source: source, policy: parsed.policy))
        result.diagnostics += parsed.diagnostics
        if parsed.reachedErrorLimit { result.stoppedAtErrorLimit.append(source.name) }
        guard followIncludes else { return }
        for include in parsed.policy.includes {
            let target = Self.resolve(include.path.value, relativeTo: path)
            let key = Self.normalize(target)
            if let position = stack.firstIndex(of: key) {
                let cycle = (stack[position...] + [key]).map { "`\($0)`" }.joined(separator: " includes ")
                result.diagnostics.append(Diagnostic(
                    code: SyntaxError.includeCycle.code, message: "include cycle: \(cycle)", range: include.path.range,
                    label: "included again here", help: "remove one of the includes; each file is read once"))
                continue
            }
            guard !visited.contains(key) else { continue }
            switch read(target) {
            case .failure(let failure):
                result.diagnostics.append(Diagnostic(
                    code: SyntaxError.includeNotFound.code, message: "cannot read included file `\(target)`: \(failure.reason)",
                    range: include.path.range, help: "include paths are relative to the file that includes them"))
            case .success(let bytes):
                visited.insert(key)
                stack.append(key)
                add(path: target, bytes: bytes, into: &result, visited: &visited, stack: &stack)
                stack.removeLast()
            }
        }
    }

    /// The name under which the path `-` (standard input) is reported.
    public static let standardInputName = "<stdin>"

    /// `path` resolved against the directory of `base` (absolute paths unchanged).
    public static func resolve(_ path: String, relativeTo base: String) -> String {
        if path.hasPrefix("/") { return path }
        guard let slash = base.lastIndex(of: "/") else { return path }
        return String(base[...slash]) + path
    }

    /// A lexical normal form of a path: no `.` segments, `..` folded, no `//`.
    public static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : joined
    }
}
