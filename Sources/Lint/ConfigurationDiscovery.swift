#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ToolSupport

/// Which configuration applies to a policy file when `--config` is not given, as ruff,
/// ESLint and Regal do: the nearest `spkic-lint.toml` (or `.spkic-lint.toml`) in the
/// file's folder or a folder above it. The search stops at a folder holding `.git` (after
/// looking in it) or at the file system's root; none found is the default configuration.
/// A discovered configuration's `ignore` patterns are relative to its folder. The file
/// access of discovery goes through `FileSystem`, so that tests can give their own.
public struct ConfigurationDiscovery: Sendable {
    public static let fileNames = ["spkic-lint.toml", ".spkic-lint.toml"]

    /// What discovery asks of the file system.
    public struct FileSystem: Sendable {
        /// Absolute: relative policy paths are taken from here.
        public var workingDirectory: String
        /// Whether a path names anything (a file or a folder).
        public var exists: @Sendable (String) -> Bool
        /// A file's bytes, or why it cannot be read.
        public var read: @Sendable (String) -> Result<[UInt8], FileError>

        public init(workingDirectory: String, exists: @escaping @Sendable (String) -> Bool,
                    read: @escaping @Sendable (String) -> Result<[UInt8], FileError>) {
            self.workingDirectory = workingDirectory
            self.exists = exists
            self.read = read
        }

        /// The process's file system and working directory.
        public static func live() -> FileSystem {
            var workingDirectory = "/"
            if let buffer = getcwd(nil, 0) {
                workingDirectory = String(cString: buffer)
                free(buffer)
            }
            return FileSystem(workingDirectory: workingDirectory,
                              exists: { access($0, F_OK) == 0 },
                              read: { path in Result { () throws(FileError) in try InputReader.read(path) } })
        }
    }

    public let fileSystem: FileSystem
    /// Folders already searched (absolute) and the configuration found for them.
    private var cache: [String: String?] = [:]

    public init(fileSystem: FileSystem = .live()) {
        self.fileSystem = fileSystem
    }

    /// The configuration file that applies to the policy at `path` (`-`, standard input,
    /// is taken to be in the working directory), as shown to the user (relative to the
    /// working directory when under it); nil when there is none. Two configuration files
    /// in one folder are an error: which one is meant is not clear.
    public mutating func configurationFile(for path: String) throws(LintConfigurationError) -> String? {
        let start = path == "-" ? LexicalPath.absolute(".", in: fileSystem.workingDirectory)
            : LexicalPath.parent(LexicalPath.absolute(path, in: fileSystem.workingDirectory)) ?? "/"
        var visited: [String] = []
        var folder: String? = start
        var result: String?
        search: while let current = folder {
            if let cached = cache[current] {
                result = cached
                break search
            }
            visited.append(current)
            let present = Self.fileNames.map { LexicalPath.absolute($0, in: current) }.filter(fileSystem.exists)
            if present.count > 1 {
                let shown = LexicalPath.display(current, workingDirectory: fileSystem.workingDirectory)
                throw LintConfigurationError("`\(shown.isEmpty ? "." : shown)` holds both \(Self.fileNames.map { "`\($0)`" }.joined(separator: " and ")): which configuration applies is not clear",
                                             help: "keep one of them, or give the configuration with --config FILE")
            }
            if let file = present.first {
                result = file
                break search
            }
            if fileSystem.exists(LexicalPath.absolute(".git", in: current)) { break search }
            folder = LexicalPath.parent(current)
        }
        for folder in visited { cache[folder] = .some(result) }
        return result.map { LexicalPath.display($0, workingDirectory: fileSystem.workingDirectory) }
    }

    /// Reads and parses a configuration file. `discovered`: its `ignore` patterns are
    /// relative to its folder (with `--config FILE`, they match paths as given).
    public func load(_ path: String, discovered: Bool) throws(LintConfigurationError) -> LintConfiguration {
        let bytes: [UInt8]
        switch fileSystem.read(path) {
        case .failure(let failure):
            throw LintConfigurationError("cannot read the configuration `\(path)`: \(failure.reason)",
                                         help: discovered ? Self.discoveredHelp : nil)
        case .success(let read):
            bytes = read
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw LintConfigurationError("the configuration `\(path)` is not UTF-8 text", help: discovered ? Self.discoveredHelp : nil)
        }
        var configuration: LintConfiguration
        do {
            configuration = try LintConfiguration.parse(text, name: path)
        } catch {
            throw LintConfigurationError(error.message, help: [error.help, discovered ? Self.discoveredHelp : nil].compactMap(\.self).joined(separator: "; "))
        }
        if discovered {
            let absolute = LexicalPath.absolute(path, in: fileSystem.workingDirectory)
            configuration.ignoreAnchor = LintConfiguration.IgnoreAnchor(folder: LexicalPath.parent(absolute) ?? "/",
                                                                        workingDirectory: fileSystem.workingDirectory)
        }
        return configuration
    }

    static let discoveredHelp = "it was found as the policy's nearest spkic-lint.toml: fix it, or give another with --config FILE, or none with --no-config"
}

extension ConfigurationDiscovery {
    /// The policy files grouped by the configuration file discovered for each (nil: none
    /// found), in the order of their first file.
    public mutating func group(_ files: [String]) throws(LintConfigurationError) -> [(configuration: String?, files: [String])] {
        var groups: [(configuration: String?, files: [String])] = []
        for file in files {
            let found = try configurationFile(for: file)
            if let index = groups.firstIndex(where: { $0.configuration == found }) {
                groups[index].files.append(file)
            } else {
                groups.append((found, [file]))
            }
        }
        return groups
    }
}
