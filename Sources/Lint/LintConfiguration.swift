/// Levels per rule and per category, paths to ignore, and the rules' thresholds: what a
/// configuration file (`--config`, TOML) and `--enable`/`--disable` set.
///
/// ```toml
/// ignore = ["generated/**", "vendor/*.vp"]
/// at = "2026-11-01T00:00Z"   # examples only: a production policy must not pin the time
///
/// [categories]
/// style = "off"
///
/// [rules]
/// wildcard-grant = "error"
///
/// [options]
/// max-lifetime = "48h"
/// renewal-factor = 2
/// expiry-horizon = "30d"
/// max-pool-share = 0.5
/// ```
public struct LintConfiguration: Sendable {
    public var ruleLevels: [String: LintLevel] = [:]
    public var categoryLevels: [LintCategory: LintLevel] = [:]
    /// Glob patterns (`*`, `**`, `?`) matched against the paths of policy files: matching
    /// files given on the command line are not linted, and findings in matching included
    /// files are dropped.
    public var ignoredPaths: [String] = []
    public var options = LintOptions()
    /// `at`: the time of linting as written (the syntax of `--at`), for examples and
    /// fixtures whose dates are a fixed snapshot; `--at` wins over it.
    public var at: String?
    /// Set for a discovered configuration: its ignored paths are relative to its folder.
    public var ignoreAnchor: IgnoreAnchor?

    /// The folder a discovered configuration's `ignore` patterns are relative to.
    public struct IgnoreAnchor: Sendable, Hashable {
        /// Absolute and normalized.
        public var folder: String
        /// Absolute: what relative policy paths are relative to.
        public var workingDirectory: String

        public init(folder: String, workingDirectory: String) {
            self.folder = folder
            self.workingDirectory = workingDirectory
        }
    }

    public init() {}

    /// A rule's level: its own setting, else its category's, else its default.
    public func level(of descriptor: RuleDescriptor) -> LintLevel {
        ruleLevels[descriptor.id] ?? categoryLevels[descriptor.category] ?? descriptor.defaultLevel
    }

    /// `--enable NAME`: a rule or category at its default level (a warning for a rule
    /// off by default).
    public mutating func enable(_ name: String) throws(LintConfigurationError) {
        if let descriptor = LintRegistry.descriptor(name) {
            ruleLevels[name] = descriptor.defaultLevel == .off ? .warning : descriptor.defaultLevel
        } else if let category = LintCategory(rawValue: name) {
            categoryLevels[category] = nil
            for descriptor in LintRegistry.descriptors where descriptor.category == category && ruleLevels[descriptor.id] == .off {
                ruleLevels[descriptor.id] = nil
            }
        } else {
            throw Self.unknown(name, option: "--enable")
        }
    }

    /// `--disable NAME`: a rule or a whole category off.
    public mutating func disable(_ name: String) throws(LintConfigurationError) {
        if LintRegistry.descriptor(name) != nil {
            ruleLevels[name] = .off
        } else if let category = LintCategory(rawValue: name) {
            categoryLevels[category] = .off
            for descriptor in LintRegistry.descriptors where descriptor.category == category { ruleLevels[descriptor.id] = nil }
        } else {
            throw Self.unknown(name, option: "--disable")
        }
    }

    static func unknown(_ name: String, option: String) -> LintConfigurationError {
        let names = LintRegistry.descriptors.map(\.id) + LintCategory.allCases.map(\.rawValue)
        let hint = SpellingSuggestion.closest(to: name, in: names).map { "did you mean `\($0)`? " } ?? ""
        return LintConfigurationError("\(option): unknown rule or category `\(name)`",
                                      help: "\(hint)the rules are listed in Docs/lint/README.md; categories: \(LintCategory.allCases.map(\.rawValue).joined(separator: ", "))")
    }

    /// Whether `path` matches an ignored pattern: the path as given, or for a discovered
    /// configuration the path relative to the configuration's folder (a file outside that
    /// folder matches nothing).
    public func isIgnored(_ path: String) -> Bool {
        var normalized = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        if let ignoreAnchor {
            let absolute = LexicalPath.absolute(path, in: ignoreAnchor.workingDirectory)
            guard let relative = LexicalPath.relative(absolute, to: ignoreAnchor.folder) else { return false }
            normalized = relative
        }
        return ignoredPaths.contains { PathPattern.matches($0, normalized) }
    }
}

/// A configuration that cannot be used: what, where, and how to fix it.
public struct LintConfigurationError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let help: String?

    public init(_ message: String, help: String? = nil) {
        self.message = message
        self.help = help
    }

    public var description: String { help.map { "\(message)\nhelp: \($0)" } ?? message }
}

import Diagnostics
