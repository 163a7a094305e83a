import Diagnostics
import TOMLKit

extension LintConfiguration {
    /// Reads a configuration file's text (TOML). Unknown keys, rules, categories and
    /// levels are errors, so that a typo never silently disables nothing.
    public static func parse(_ text: String, name: String) throws(LintConfigurationError) -> LintConfiguration {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw LintConfigurationError("\(name):\(error.source.begin.line):\(error.source.begin.column): \(error.description)",
                                         help: "the configuration is TOML: see Docs/lint/README.md#configuration")
        } catch {
            throw LintConfigurationError("\(name): \(error)")
        }
        var configuration = LintConfiguration()
        for (key, value) in table {
            switch key {
            case "ignore":
                guard let array = value.array else { throw wrongType(name, key, "an array of path patterns") }
                for element in array {
                    guard let pattern = element.string else { throw wrongType(name, key, "an array of path patterns") }
                    configuration.ignoredPaths.append(pattern)
                }
            case "rules":
                guard let rules = value.table else { throw wrongType(name, key, "a table of `RULE = \"LEVEL\"`") }
                for (rule, level) in rules {
                    guard LintRegistry.descriptor(rule) != nil else {
                        let hint = SpellingSuggestion.closest(to: rule, in: LintRegistry.descriptors.map(\.id)).map { "did you mean `\($0)`? " } ?? ""
                        throw LintConfigurationError("\(name): [rules]: unknown rule `\(rule)`", help: "\(hint)the rules are listed in Docs/lint/README.md")
                    }
                    configuration.ruleLevels[rule] = try parseLevel(level, name, "rules.\(rule)")
                }
            case "categories":
                guard let categories = value.table else { throw wrongType(name, key, "a table of `CATEGORY = \"LEVEL\"`") }
                for (category, level) in categories {
                    guard let parsed = LintCategory(rawValue: category) else {
                        throw LintConfigurationError("\(name): [categories]: unknown category `\(category)`",
                                                     help: "categories: \(LintCategory.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    configuration.categoryLevels[parsed] = try parseLevel(level, name, "categories.\(category)")
                }
            case "at":
                // A string in the syntax of `--at`; a TOML date-time with an offset or a
                // date is taken as written.
                if let text = value.string {
                    configuration.at = text
                } else if let dateTime = value.dateTime, dateTime.offset != nil {
                    configuration.at = dateTime.debugDescription
                } else if let date = value.date {
                    configuration.at = date.debugDescription
                } else {
                    throw wrongType(name, key, "a time such as \"2026-11-01T00:00Z\" (RFC 3339 with an offset, or SPKI), as for --at")
                }
            case "options":
                guard let options = value.table else { throw wrongType(name, key, "a table of thresholds") }
                for (option, value) in options { try configuration.setOption(option, value, name) }
            default:
                throw LintConfigurationError("\(name): unknown key `\(key)`", help: "the configuration has `ignore`, `at`, `[rules]`, `[categories]` and `[options]`")
            }
        }
        return configuration
    }

    mutating func setOption(_ option: String, _ value: TOMLValueConvertible, _ name: String) throws(LintConfigurationError) {
        switch option {
        case "max-lifetime", "expiry-horizon":
            guard let text = value.string, let seconds = DurationParser.seconds(text), seconds > 0 else {
                throw Self.wrongType(name, "options.\(option)", "a duration such as \"72h\" or \"30d\"")
            }
            if option == "max-lifetime" { options.maxLifetime = seconds } else { options.expiryHorizon = seconds }
        case "renewal-factor":
            guard let factor = value.double ?? value.int.map(Double.init), factor >= 1 else {
                throw Self.wrongType(name, "options.\(option)", "a number of at least 1")
            }
            options.renewalFactor = factor
        case "max-pool-share":
            guard let share = value.double ?? value.int.map(Double.init), share > 0, share <= 1 else {
                throw Self.wrongType(name, "options.\(option)", "a number above 0 and at most 1")
            }
            options.maxPoolShare = share
        case "at":
            throw LintConfigurationError("\(name): [options]: `at` is a top-level key",
                                         help: "put `at = \"...\"` before the first [table] of the file")
        default:
            throw LintConfigurationError("\(name): [options]: unknown option `\(option)`",
                                         help: "options: max-lifetime, renewal-factor, expiry-horizon, max-pool-share")
        }
    }

    static func parseLevel(_ value: TOMLValueConvertible, _ name: String, _ key: String) throws(LintConfigurationError) -> LintLevel {
        guard let text = value.string, let level = LintLevel(rawValue: text) else {
            throw wrongType(name, key, "one of \"error\", \"warning\", \"info\", \"off\"")
        }
        return level
    }

    static func wrongType(_ name: String, _ key: String, _ expected: String) -> LintConfigurationError {
        LintConfigurationError("\(name): `\(key)` must be \(expected)")
    }
}
