import Diagnostics

extension Parser {
    /// Consumes a number token as a decimal, or fails with E0025 / E0005.
    mutating func expectNumber(after what: String) throws(SyntaxFailure) -> (DecimalNumber, SourceRange) {
        guard token.kind == .number, !token.isAtLineStart else {
            throw fail(.expectedNumber, "expected a number after `\(what)`, found \(found)", at: missingRange,
                       help: "write a number such as `4` or `0.5`")
        }
        let here = tokenRange
        guard let number = DecimalNumber.parse(UnsafeBufferPointer(rebasing: bytes[Int(token.start)..<Int(token.end)])) else {
            throw fail(.malformedNumber, "number `\(text(token))` is too large", at: here,
                       help: "numbers have at most 18 digits; for a size, rate or time, write it in a larger unit (`TiB` rather than `B`)")
        }
        advance()
        return (number, here)
    }

    /// A positive whole number without unit (`cpus 4`).
    mutating func parseCount(after what: String) throws(SyntaxFailure) -> Quantity {
        let (number, here) = try expectNumber(after: what)
        guard let value = number.integerValue, value >= 1 else {
            throw fail(.invalidCount, "`\(what)` takes a whole number of at least 1, found `\(self.text(in: here))`", at: here,
                       help: "write a count such as `\(what) 4`")
        }
        return Quantity(number: number, unit: nil, numberRange: here, range: here)
    }

    func text(in range: SourceRange) -> String {
        Self.text(bytes, range)
    }

    static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ range: SourceRange) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(range.start)..<Int(range.end)]), as: UTF8.self)
    }

    /// A number and a unit of `dimension`: `8 GiB`, `36h`, `40 units/hour`.
    mutating func parseQuantity(after what: String, dimension: Unit.Dimension) throws(SyntaxFailure) -> Quantity {
        let (number, numberRange) = try expectNumber(after: what)
        let example = Self.example(for: dimension)
        // A unit is the next word on the same line, unless it starts something else.
        guard token.kind == .identifier, !token.isAtLineStart,
              Unit.named(text(token)) != nil || token.keyword == .none else {
            throw fail(.missingUnit, "`\(what)` needs a unit after `\(text(in: numberRange))`", at: numberRange,
                       help: "the \(dimension.rawValue) units are \(dimension.spellings); e.g. `\(what) \(example)`",
                       fixIts: [.replace(range(numberRange.end, numberRange.end), with: " " + Self.exampleUnit(for: dimension),
                                         "add a unit")])
        }
        let unitStart = token.start
        var spelling = text(token)
        advance()
        if spelling == "units", token.kind == .slash, token.start == previousEnd {
            advance()
            guard token.kind == .identifier, token.start == previousEnd else {
                throw fail(.unknownUnit, "expected `hour` or `day` after `units/`, found \(found)", at: missingRange,
                           help: "write `units/hour` or `units/day`")
            }
            spelling += "/" + text(token)
            advance()
        }
        let unitRange = range(unitStart, previousEnd)
        guard let unit = Unit.named(spelling) else {
            // Another common way to write a unit of this dimension, or a near miss of one;
            // never a unit of another dimension (`GB` for a bandwidth is not `GiB`).
            let common = Unit.commonSpelling(spelling).flatMap { $0.dimension == dimension ? $0.spelling : nil }
            let close = common
                ?? SpellingSuggestion.closest(to: spelling, in: Unit.allCases.filter { $0.dimension == dimension }.map(\.spelling))
            throw fail(.unknownUnit, "unknown unit `\(spelling)`", at: unitRange,
                       help: close.map { "did you mean `\($0)`?" } ?? "the \(dimension.rawValue) units are \(dimension.spellings)",
                       fixIts: close.map { [.replace(unitRange, with: $0, "replace `\(spelling)` with `\($0)`")] } ?? [])
        }
        guard unit.dimension == dimension else {
            throw fail(.wrongUnit, "`\(what)` takes a \(dimension.rawValue) unit, found `\(spelling)` (a \(unit.dimension.rawValue) unit)",
                       at: unitRange, help: "the \(dimension.rawValue) units are \(dimension.spellings); e.g. `\(what) \(example)`")
        }
        return Quantity(number: number, unit: unit, numberRange: numberRange, range: range(numberRange.start, previousEnd))
    }

    static func exampleUnit(for dimension: Unit.Dimension) -> String {
        switch dimension {
        case .size: return "GiB"
        case .rate: return "Mbps"
        case .time: return "h"
        case .cost: return "units/hour"
        }
    }

    static func example(for dimension: Unit.Dimension) -> String {
        switch dimension {
        case .size: return "8 GiB"
        case .rate: return "100 Mbps"
        case .time: return "12h"
        case .cost: return "40 units/hour"
        }
    }

    /// bound = [ ">=" | "<=" ] quantity ; the operator must agree with `natural`.
    mutating func parseBound(after what: String, dimension: Unit.Dimension, natural: Bound.Comparison) throws(SyntaxFailure) -> Bound {
        var comparison = natural
        var explicit = false
        if token.kind == .greaterEqual || token.kind == .lessEqual, !token.isAtLineStart {
            comparison = token.kind == .greaterEqual ? .atLeast : .atMost
            explicit = true
            if comparison != natural {
                let description = natural == .atLeast ? "a lower bound" : "an upper bound"
                throw fail(.wrongBound, "`\(what)` takes \(description) `\(natural.rawValue)`, found `\(comparison.rawValue)`",
                           at: tokenRange, help: "a link guarantees at least its bandwidth and at most its latency",
                           fixIts: [.replace(tokenRange, with: natural.rawValue, "replace with `\(natural.rawValue)`")])
            }
            advance()
        }
        let quantity = try parseQuantity(after: what, dimension: dimension)
        return Bound(comparison: comparison, quantity: quantity, isExplicit: explicit)
    }

    /// An RFC 3339 date-time token, checked.
    mutating func parseDateTime(after what: String) throws(SyntaxFailure) -> DateTime {
        guard token.kind == .dateTime, !token.isAtLineStart else {
            throw fail(.expectedDateTime, "expected a date-time after `\(what)`, found \(found)", at: missingRange,
                       help: "write an RFC 3339 date-time such as `2026-12-01T08:00Z`")
        }
        let here = tokenRange
        switch DateTimeSyntax.parse(UnsafeBufferPointer(rebasing: bytes[Int(token.start)..<Int(token.end)])) {
        case .success(let (seconds, offset)):
            advance()
            return DateTime(secondsSinceEpoch: seconds, utcOffsetMinutes: offset, range: here)
        case .failure(let problem):
            throw fail(.invalidDateTime, "invalid date-time `\(text(token))`: \(problem.reason)", at: here,
                       help: "write an RFC 3339 date-time such as `2026-12-01T08:00Z` or `2026-12-01T09:00:00+01:00`")
        }
    }

    /// window = DATETIME ".." DATETIME
    mutating func parseWindow(after what: String) throws(SyntaxFailure) -> Window {
        let start = try parseDateTime(after: what)
        guard token.kind == .dotDot, !token.isAtLineStart else {
            throw fail(.expectedRangeOperator, "expected `..` between the bounds of the \(what), found \(found)",
                       at: missingRange, help: "write `\(what) 2026-12-01T08:00Z .. 2026-12-21T20:00Z`")
        }
        advance()
        let end = try parseDateTime(after: "..")
        return Window(start: start, end: end)
    }

    /// "[" INDEX [ ".." INDEX ] "]" ; for host ranges (`requireRange`), cluster
    /// members and endpoints.
    mutating func parseIndexRange(requireRange: Bool, what: String) throws(SyntaxFailure) -> IndexRange {
        let open = token.start
        advance()
        let (lower, lowerRange, _) = try expectIndex(what: what)
        var upper = lower
        var isRange = false
        if token.kind == .dotDot {
            advance()
            upper = try expectIndex(what: what).0
            isRange = true
        }
        guard token.kind == .rightBracket else {
            throw fail(.expectedClosingDelimiter, "expected `]` to close the \(what), found \(found)", at: missingRange,
                       notes: [Diagnostic.Note("`[` opened here", at: range(open, open + 1))], help: "add `]`")
        }
        let bracketRange = range(open, token.end)
        advance()
        if requireRange, !isRange {
            throw fail(.invalidRange, "a \(what) needs a first and a last index, found `[\(lower)]`", at: bracketRange,
                       help: "write `[01..\(lowerRange.length > 1 ? String(repeating: "0", count: lowerRange.length - 1) : "")\(max(lower, 2))]`")
        }
        guard lower <= upper else {
            throw fail(.invalidRange, "the \(what) `\(text(in: bracketRange))` ends before it starts", at: bracketRange,
                       help: "write the smaller index first: `[\(upper)..\(lower)]`")
        }
        guard upper - lower < 100_000 else {
            throw fail(.rangeTooLarge, "the \(what) `\(text(in: bracketRange))` stands for \(upper - lower + 1) names, more than 100000",
                       at: bracketRange, help: "split the declaration, or check the bounds")
        }
        return IndexRange(lower: lower, upper: upper, width: UInt8(min(lowerRange.length, 255)), isRange: isRange,
                          range: bracketRange)
    }

    /// A whole-number index.
    mutating func expectIndex(what: String) throws(SyntaxFailure) -> (Int, SourceRange, Int) {
        guard token.kind == .number else {
            throw fail(.expectedIndex, "expected a whole number in the \(what), found \(found)", at: missingRange,
                       help: "indices are whole numbers, e.g. `worker[3]` or `capricorne-[01..35]`")
        }
        let here = tokenRange
        guard let number = DecimalNumber.parse(UnsafeBufferPointer(rebasing: bytes[Int(token.start)..<Int(token.end)])),
              number.scale == 0, number.mantissa <= 1_000_000_000 else {
            throw fail(.expectedIndex, "`\(text(token))` is not a valid index", at: here,
                       help: "indices are whole numbers up to 1000000000")
        }
        advance()
        return (Int(number.mantissa), here, here.length)
    }

    /// endpoint = NAME [ "[" INDEX [ ".." INDEX ] "]" ]
    mutating func parseEndpoint(after what: String, continuation: Bool = false) throws(SyntaxFailure) -> Endpoint {
        let name = try expectName(after: what, continuation: continuation)
        var index: IndexRange?
        if token.kind == .leftBracket, !token.isAtLineStart {
            index = try parseIndexRange(requireRange: false, what: "index of `\(name.text)`")
        }
        return Endpoint(name: name, index: index)
    }

    /// locators = LOCATOR { "," LOCATOR } ; scanned raw, then checked.
    mutating func parseLocators(hasRange: Bool) throws(SyntaxFailure) -> SlabList<Locator> {
        var locators: [Locator] = []
        repeat {
            advanceToLocator(acrossLines: !locators.isEmpty)
            let here = tokenRange
            guard here.length > 0 else {
                throw fail(.expectedLocator, "expected an address after `\(locators.isEmpty ? "locator" : ",")`",
                           at: here, help: "write an IPv4 or IPv6 address, e.g. `locator 192.0.2.10`")
            }
            let word = text(token)
            switch LocatorSyntax.check(Array(word.utf8)) {
            case .success(let (family, offset)):
                if offset != nil, !hasRange {
                    throw fail(.templateWithoutRange, "locator template in `\(word)` needs a host range", at: here,
                               help: "templates number the hosts of a range such as `host capricorne-[01..35]`; write a plain address here")
                }
                locators.append(Locator(text: word, family: family, templateOffset: offset, range: here))
            case .failure(let problem):
                throw fail(problem.isTemplate ? .invalidLocatorTemplate : .invalidLocator,
                           problem.isTemplate ? "invalid locator template in `\(word)`: \(problem.reason)"
                               : "`\(word)` is not an IPv4 or IPv6 address: \(problem.reason)",
                           at: here,
                           help: problem.isTemplate ? "templates are `{index}`, `{N+index}` or `{index+N}`"
                               : "write an address such as `192.0.2.10` or `2001:db8::11`")
            }
            advance()
        } while token.kind == .comma
        return locatorSlab.store(locators)
    }

    /// A confidentiality level (`clearance high`).
    mutating func parseLevel(after what: String) throws(SyntaxFailure) -> Identifier {
        let name = try expectName(after: what)
        let levels = Vocabulary.levels
        guard !levels.words.contains(name.text) else { return name }
        throw fail(.unknownLevel, "unknown confidentiality level `\(name.text)`", at: name.range,
                   help: Self.suggestion(for: name.text, among: levels.words) ?? "the levels are `low`, `medium` and `high`")
    }
}
