import Diagnostics

extension Parser {
    /// block = "{" { property } "}" ; for hosts, nodes, clusters and links.
    /// Returns the properties and the range from `{` to `}`.
    mutating func parseBlock(_ kind: BlockKind, what: @autoclosure () -> String, hasRange: Bool = false) throws(SyntaxFailure) -> (SlabList<Property>, SourceRange) {
        guard token.kind == .leftBrace else {
            throw fail(.expectedOpenBrace, "expected `{` after \(what()), found \(found)", at: missingRange,
                       help: "the properties of a \(kind.rawValue) go between braces: `{ ... }`")
        }
        let open = tokenRange
        advance()
        var properties: [Property] = []
        let outerMark = constructMark
        defer { constructMark = outerMark }
        while true {
            if token.kind == .rightBrace {
                let body = range(open.start, token.end)
                advance()
                return (propertySlab.store(properties), body)
            }
            if isAtEnd || endsUnclosedBlock(continuesBlock: { PropertyKeyword($0).map(kind.allows) ?? false }) {
                reportUnclosed(what(), open: open)
                throw SyntaxFailure()
            }
            constructMark = bag.errorCount
            do throws(SyntaxFailure) {
                let property = try parseProperty(in: kind, hasRange: hasRange)
                try checkDuplicate(property, in: properties, what: what())
                properties.append(property)
            } catch {
                synchroniseInBlock { PropertyKeyword($0).map(kind.allows) ?? false }
            }
        }
    }

    /// E0016 for a property given twice (lists such as `locator` and `trusted-by`
    /// may repeat).
    mutating func checkDuplicate(_ property: Property, in properties: [Property], what: @autoclosure () -> String) throws(SyntaxFailure) {
        switch property.keyword {
        case .locator, .trustedBy, .require: return
        default: break
        }
        if let first = properties.first(property.keyword) {
            throw fail(.duplicateProperty, "`\(property.keyword.spelling)` is set twice in \(what())", at: property.range,
                       label: "set again here", notes: [Diagnostic.Note("first set here", at: first.range)],
                       help: "keep one of them")
        }
    }

    /// Reports an unknown or misplaced word where a property of `kind` is expected.
    mutating func unknownProperty(in kind: BlockKind, extra: [String] = []) -> SyntaxFailure {
        let word = text(token)
        let here = tokenRange
        if token.kind == .identifier, let property = PropertyKeyword(token.keyword) {
            let owners = BlockKind.owners(of: property).map { "\($0.rawValue)s" }
            return fail(.misplacedProperty, "`\(word)` is not a property of a \(kind.rawValue)", at: here,
                        help: "`\(word)` belongs in \(Self.list(owners, conjunction: "and"))")
        }
        guard token.kind == .identifier else {
            return fail(.unknownProperty, "expected a property of the \(kind.rawValue), found \(this)", at: here,
                        help: "the properties of a \(kind.rawValue) are \(Self.list(kind.allowedProperties.map { "`\($0.spelling)`" } + extra.map { "`\($0)`" }, conjunction: "and"))")
        }
        let candidates = kind.allowedProperties.map(\.spelling) + extra
        var fixIts: [Diagnostic.FixIt] = []
        let help: String
        if let close = SpellingSuggestion.closest(to: word, in: candidates) {
            help = "did you mean `\(close)`?"
            fixIts = [.replace(here, with: close, "replace `\(word)` with `\(close)`")]
        } else {
            help = "the properties of a \(kind.rawValue) are \(Self.list(candidates.map { "`\($0)`" }, conjunction: "and"))"
        }
        return fail(.unknownProperty, kind == .vpxi ? "unknown word `\(word)` in a vpxi" : "unknown \(kind.rawValue) property `\(word)`", at: here, help: help, fixIts: fixIts)
    }

    static func list(_ items: [String], conjunction: String) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " \(conjunction) " + items.last!
    }

    /// property = KEYWORD value ; the value's shape depends on the keyword.
    mutating func parseProperty(in kind: BlockKind, hasRange: Bool, extra: [String] = []) throws(SyntaxFailure) -> Property {
        guard token.kind == .identifier, let keyword = PropertyKeyword(token.keyword), kind.allows(keyword) else {
            throw unknownProperty(in: kind, extra: extra)
        }
        let start = token.start
        let value: PropertyValue
        switch keyword {
        case .locator:
            value = .locators(try parseLocators(hasRange: hasRange))
        case .cpus:
            advance()
            value = .quantity(try parseCount(after: "cpus"))
        case .memory, .disk:
            advance()
            value = .quantity(try parseQuantity(after: keyword.spelling, dimension: .size))
        case .cost, .maxCost:
            advance()
            value = .quantity(try parseQuantity(after: keyword.spelling, dimension: .cost))
        case .bandwidth where kind == .host:
            advance()
            value = .quantity(try parseQuantity(after: "bandwidth", dimension: .rate))
        case .bandwidth:
            advance()
            value = .bound(try parseBound(after: "bandwidth", dimension: .rate, natural: .atLeast))
        case .latency:
            advance()
            value = .bound(try parseBound(after: "latency", dimension: .time, natural: .atMost))
        case .hypervisor, .function, .protect, .confidentiality:
            advance()
            value = .name(try parseVocabularyWord(for: keyword))
        case .site, .owner, .registrar:
            advance()
            value = .name(try expectName(after: keyword.spelling))
        case .trustedBy:
            advance()
            value = .names(try parseNameList(after: "trusted-by"))
        case .image:
            advance()
            value = .text(try expectString(after: "image"))
        case .registeredWith:
            advance()
            value = .registration(try parseRegistration())
        case .window:
            advance()
            value = .window(try parseWindow(after: "window"))
        case .certificates:
            advance()
            value = .lifetime(try parseLifetime())
        case .require:
            advance()
            value = .requirement(try parseRequirement())
        }
        return Property(keyword: keyword, value: value, range: range(start, previousEnd))
    }

    /// A `hypervisor`, `function`, `protect` or `confidentiality` word, checked
    /// against its vocabulary.
    mutating func parseVocabularyWord(for keyword: PropertyKeyword) throws(SyntaxFailure) -> Identifier {
        let name = try expectName(after: keyword.spelling)
        guard let vocabulary = Vocabulary(keyword), !vocabulary.words.contains(name.text) else { return name }
        let help = Self.suggestion(for: name.text, among: vocabulary.words)
            ?? "the \(vocabulary.noun)s are \(Self.list(vocabulary.words.map { "`\($0)`" }, conjunction: "and"))"
        var fixIts: [Diagnostic.FixIt] = []
        if let close = SpellingSuggestion.closest(to: name.text, in: vocabulary.words) {
            fixIts = [.replace(name.range, with: close, "replace `\(name.text)` with `\(close)`")]
        }
        throw fail(vocabulary.error, "unknown \(vocabulary.noun) `\(name.text)`", at: name.range, help: help, fixIts: fixIts)
    }

    /// "registered-with" NAME [ "from" DATETIME ] [ "until" DATETIME ]
    mutating func parseRegistration() throws(SyntaxFailure) -> Registration {
        let registrar = try expectName(after: "registered-with")
        var from: DateTime?
        var until: DateTime?
        if token.keyword == .from, !token.isAtLineStart {
            advance()
            from = try parseDateTime(after: "from")
        }
        if token.keyword == .until, !token.isAtLineStart {
            advance()
            until = try parseDateTime(after: "until")
        }
        return Registration(registrar: registrar, from: from, until: until)
    }

    /// "certificates" "valid" DURATION [ "renew" "every" DURATION ]
    mutating func parseLifetime() throws(SyntaxFailure) -> Lifetime {
        guard token.keyword == .valid, !token.isAtLineStart else {
            throw fail(.expectedValidity, "expected `valid` after `certificates`, found \(found)", at: missingRange,
                       help: "write `certificates valid 36h renew every 12h`")
        }
        advance()
        let valid = try parseDuration(after: "valid")
        var renew: Quantity?
        if token.keyword == .renew, !token.isAtLineStart {
            advance()
            guard token.keyword == .every, !token.isAtLineStart else {
                throw fail(.expectedValidity, "expected `every` after `renew`, found \(found)", at: missingRange,
                           help: "write `renew every 12h`",
                           fixIts: [.replace(range(previousEnd, previousEnd), with: " every", "insert `every`")])
            }
            advance()
            renew = try parseDuration(after: "renew every")
        }
        return Lifetime(valid: valid, renewEvery: renew)
    }

    /// A positive time quantity.
    mutating func parseDuration(after what: String) throws(SyntaxFailure) -> Quantity {
        let quantity = try parseQuantity(after: what, dimension: .time)
        guard quantity.number.mantissa > 0 else {
            throw fail(.nonPositiveDuration, "the duration after `\(what)` must be positive", at: quantity.range,
                       help: "give a duration such as `12h`")
        }
        return quantity
    }

    /// requirement = ( "trusted-by" | "hypervisor" | "site" ) NAME { "," NAME }
    mutating func parseRequirement() throws(SyntaxFailure) -> Requirement {
        let kinds = Requirement.Kind.allCases.map(\.rawValue)
        guard token.kind == .identifier, !token.isAtLineStart, let kind = Requirement.Kind(rawValue: text(token)) else {
            let word = token.kind == .identifier && !token.isAtLineStart ? text(token) : nil
            throw fail(.unknownRequirement,
                       word.map { "unknown requirement `\($0)`" } ?? "expected a requirement after `require`, found \(found)",
                       at: missingRange,
                       help: word.flatMap { Self.suggestion(for: $0, among: kinds) }
                           ?? "the requirements are `trusted-by`, `hypervisor` and `site`")
        }
        advance()
        if kind == .hypervisor {
            var values = [try parseVocabularyWord(for: .hypervisor)]
            while token.kind == .comma {
                advance()
                values.append(try parseVocabularyWord(for: .hypervisor))
            }
            return Requirement(kind: kind, values: identifierSlab.store(values))
        }
        return Requirement(kind: kind, values: try parseNameList(after: kind.rawValue))
    }
}
