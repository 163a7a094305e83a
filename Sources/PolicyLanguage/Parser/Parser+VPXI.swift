import Diagnostics

extension Parser {
    /// Whether `keyword` begins a member of a vpxi body.
    static func startsVPXIMember(_ keyword: Keyword) -> Bool {
        keyword.isVPXIMember || (PropertyKeyword(keyword).map(BlockKind.vpxi.allows) ?? false)
    }

    static let memberSpellings = ["node", "cluster", "link", "grant", "test"]

    /// vpxi = "vpxi" NAME "{" { vpxi-member } "}" ;
    mutating func parseVPXI() throws(SyntaxFailure) -> VPXIDecl {
        let start = token.start
        let outerMark = bag.errorCount
        advance()
        let name = try expectName(after: "vpxi")
        guard token.kind == .leftBrace else {
            throw fail(.expectedOpenBrace, "expected `{` after vpxi `\(name.text)`, found \(found)", at: missingRange,
                       help: "the body of a vpxi goes between braces: `vpxi \(name.text) { ... }`")
        }
        let open = tokenRange
        advance()
        var members: [VPXIMember] = []
        let what = "vpxi `\(name.text)`"
        while true {
            if token.kind == .rightBrace {
                let body = range(open.start, token.end)
                advance()
                let decl = VPXIDecl(name: name, members: memberSlab.store(members), body: body, range: range(start, previousEnd))
                if bag.errorCount == outerMark, decl.properties.first(.owner) == nil {
                    constructMark = bag.errorCount
                    report(.missingOwner, "vpxi `\(name.text)` has no owner", at: name.range,
                           help: "add `owner USER` to its body: the user on whose behalf it runs")
                }
                return decl
            }
            if isAtEnd || endsUnclosedBlock(continuesBlock: Self.startsVPXIMember) {
                reportUnclosed(what, open: open)
                throw SyntaxFailure()
            }
            constructMark = bag.errorCount
            do throws(SyntaxFailure) {
                let member = try parseVPXIMember()
                if case .property(let property) = member {
                    try checkDuplicate(property, in: members.compactMap {
                        if case .property(let other) = $0 { return other } else { return nil }
                    }, what: what)
                }
                members.append(member)
            } catch {
                synchroniseInBlock(startsMember: Self.startsVPXIMember)
            }
        }
    }

    mutating func parseVPXIMember() throws(SyntaxFailure) -> VPXIMember {
        switch token.keyword {
        case .node: return .node(try parseNode())
        case .cluster: return .cluster(try parseCluster())
        case .link: return .link(try parseLink())
        case .grant: return .grant(try parseGrant())
        case .test: return .test(try parseTest())
        default: return .property(try parseProperty(in: .vpxi, hasRange: false, extra: Self.memberSpellings))
        }
    }

    /// Properties of a node, cluster or link: an optional block.
    private mutating func optionalBlock(_ kind: BlockKind, what: @autoclosure () -> String) throws(SyntaxFailure) -> (SlabList<Property>, SourceRange?) {
        guard token.kind == .leftBrace else {
            if !token.isAtLineStart, token.kind != .endOfFile, token.kind != .rightBrace {
                throw fail(.expectedOpenBrace, "expected `{` or the end of the line after \(what()), found \(found)",
                           at: tokenRange, help: "the properties of a \(kind.rawValue) go between braces: `{ ... }`")
            }
            return (SlabList(), nil)
        }
        let (properties, body) = try parseBlock(kind, what: what())
        return (properties, body)
    }

    /// node = "node" NAME [ block ] ;
    mutating func parseNode() throws(SyntaxFailure) -> NodeDecl {
        let start = token.start
        advance()
        let name = try expectName(after: "node")
        let (properties, body) = try optionalBlock(.node, what: "node `\(name.text)`")
        return NodeDecl(name: name, properties: properties, body: body, range: range(start, previousEnd))
    }

    /// cluster = "cluster" NAME "[" COUNT "]" [ block ] ;
    mutating func parseCluster() throws(SyntaxFailure) -> ClusterDecl {
        let start = token.start
        advance()
        let name = try expectName(after: "cluster")
        guard token.kind == .leftBracket, !token.isAtLineStart else {
            throw fail(.expectedClusterSize, "expected the size of cluster `\(name.text)`, found \(found)", at: missingRange,
                       help: "give the number of machines after the name: `cluster \(name.text)[32]`",
                       fixIts: [.replace(range(name.range.end, name.range.end), with: "[1]", "insert a size")])
        }
        let open = token.start
        advance()
        let (number, numberRange) = try expectNumber(after: "[")
        guard let size = number.integerValue, size >= 1, size <= 1_000_000 else {
            throw fail(.invalidClusterSize, "cluster `\(name.text)` must have between 1 and 1000000 machines, found `\(text(in: numberRange))`",
                       at: numberRange, help: "give a whole number of machines, e.g. `cluster \(name.text)[32]`")
        }
        guard token.kind == .rightBracket else {
            throw fail(.expectedClosingDelimiter, "expected `]` after the size of cluster `\(name.text)`, found \(found)",
                       at: missingRange, notes: [Diagnostic.Note("`[` opened here", at: range(open, open + 1))], help: "add `]`")
        }
        let sizeRange = range(open, token.end)
        advance()
        let (properties, body) = try optionalBlock(.cluster, what: "cluster `\(name.text)`")
        return ClusterDecl(name: name, size: Int(size), sizeRange: sizeRange, properties: properties, body: body,
                           range: range(start, previousEnd))
    }

    /// link = "link" endpoint ( "<->" | "->" ) endpoint [ block ] ;
    mutating func parseLink() throws(SyntaxFailure) -> LinkDecl {
        let start = token.start
        advance()
        let from = try parseEndpoint(after: "link")
        let direction: LinkDecl.Direction
        switch token.kind {
        case .biArrow where !token.isAtLineStart: direction = .both
        case .arrow where !token.isAtLineStart: direction = .forward
        default:
            throw fail(.expectedLinkArrow, "expected `<->` or `->` after `\(text(in: from.range))`, found \(found)",
                       at: missingRange, help: "write `link a <-> b` for both directions, `link a -> b` for one")
        }
        advance()
        let to = try parseEndpoint(after: direction.rawValue)
        let source = bytes
        let (properties, body) = try optionalBlock(
            .link, what: "link `\(Self.text(source, from.range))` \(direction.rawValue) `\(Self.text(source, to.range))`")
        return LinkDecl(from: from, to: to, direction: direction, properties: properties, body: body, range: range(start, previousEnd))
    }

    /// right = "*" | NAME [ "(" argument { "," argument } ")" ] ;
    mutating func parseRight(after what: String, continuation: Bool = false) throws(SyntaxFailure) -> Right {
        if token.kind == .star, continuation || !token.isAtLineStart {
            let star = Identifier("*", range: tokenRange)
            advance()
            return Right(name: star, arguments: nil, range: star.range)
        }
        guard token.kind == .identifier, continuation || !token.isAtLineStart, token.keyword != .on else {
            throw fail(.expectedRight, "expected a right after `\(what)`, found \(found)", at: missingRange,
                       help: "name the rights given, e.g. `ssh` or `file(read, \"/data\")`")
        }
        let name = takeIdentifier()
        guard token.kind == .leftParen, token.start == previousEnd else {
            return Right(name: name, arguments: nil, range: name.range)
        }
        let open = tokenRange
        advance()
        var arguments: [Right.Argument] = []
        while token.kind != .rightParen {
            if token.kind == .string, !token.isAtLineStart {
                arguments.append(.text(try expectString(after: "(", nonEmpty: false)))
            } else if token.kind == .identifier, !token.isAtLineStart {
                arguments.append(.name(takeIdentifier()))
            } else {
                throw fail(.expectedClosingDelimiter, "expected `)` to close the arguments of `\(name.text)`, found \(found)",
                           at: missingRange, notes: [Diagnostic.Note("`(` opened here", at: open)], help: "add `)`")
            }
            if token.kind == .comma { advance() } else if token.kind != .rightParen {
                throw fail(.expectedClosingDelimiter, "expected `,` or `)` in the arguments of `\(name.text)`, found \(found)",
                           at: missingRange, notes: [Diagnostic.Note("`(` opened here", at: open)], help: "add `)`")
            }
        }
        advance()
        return Right(name: name, arguments: argumentSlab.store(arguments), range: range(name.range.start, previousEnd))
    }

    /// grant = "grant" NAME [ "via" NAME ] right { "," right } "on" targets [ "during" window ] ;
    mutating func parseGrant() throws(SyntaxFailure) -> GrantDecl {
        let start = token.start
        advance()
        let grantee = try expectName(after: "grant")
        var via: Identifier?
        if token.keyword == .via, !token.isAtLineStart {
            advance()
            via = try expectName(after: "via")
        }
        var rights = [try parseRight(after: via.map { $0.text } ?? grantee.text)]
        while token.kind == .comma {
            advance()
            rights.append(try parseRight(after: ",", continuation: true))
        }
        guard token.keyword == .on, !token.isAtLineStart else {
            throw fail(.expectedOn, "expected `on` before the targets of the grant, found \(found)", at: missingRange,
                       help: "write `grant \(grantee.text) \(text(in: rights[0].range)) on NODE` or `on all`",
                       fixIts: [.replace(range(previousEnd, previousEnd), with: " on", "insert `on`")])
        }
        advance()
        let target: GrantDecl.Target
        if token.keyword == .all, !token.isAtLineStart {
            target = .all(tokenRange)
            advance()
        } else {
            var endpoints = [try parseEndpoint(after: "on")]
            while token.kind == .comma {
                advance()
                endpoints.append(try parseEndpoint(after: ",", continuation: true))
            }
            target = .nodes(endpointSlab.store(endpoints))
        }
        var during: Window?
        if token.keyword == .during, !token.isAtLineStart {
            advance()
            during = try parseWindow(after: "during")
        }
        return GrantDecl(grantee: grantee, via: via, rights: rightSlab.store(rights), target: target, during: during, range: range(start, previousEnd))
    }

    /// test = "test" "{" { expectation } "}" ;
    mutating func parseTest() throws(SyntaxFailure) -> TestBlock {
        let start = token.start
        advance()
        guard token.kind == .leftBrace else {
            throw fail(.expectedOpenBrace, "expected `{` after `test`, found \(found)", at: missingRange,
                       help: "expectations go between braces: `test { expect ... }`")
        }
        let open = tokenRange
        advance()
        var expectations: [Expectation] = []
        let outerMark = constructMark
        defer { constructMark = outerMark }
        while true {
            if token.kind == .rightBrace {
                let body = range(open.start, token.end)
                advance()
                return TestBlock(expectations: expectationSlab.store(expectations), body: body, range: range(start, previousEnd))
            }
            if isAtEnd || endsUnclosedBlock(continuesBlock: { $0 == .expect }) {
                reportUnclosed("test block", open: open)
                throw SyntaxFailure()
            }
            constructMark = bag.errorCount
            do throws(SyntaxFailure) {
                expectations.append(try parseExpectation())
            } catch {
                synchroniseInBlock { $0 == .expect }
            }
        }
    }

    /// expectation = "expect" NAME ( "can" | "cannot" ) right [ "on" ] endpoint [ "at" DATETIME ] ;
    mutating func parseExpectation() throws(SyntaxFailure) -> Expectation {
        guard token.keyword == .expect else {
            let word = text(token)
            throw fail(.expectedExpect, "expected `expect` in the test block, found \(this)", at: tokenRange,
                       help: token.kind == .identifier ? (Self.suggestion(for: word, among: ["expect"]) ?? "each line of a test block is `expect USER can|cannot RIGHT on NODE`")
                           : "each line of a test block is `expect USER can|cannot RIGHT on NODE`")
        }
        let start = token.start
        advance()
        let user = try expectName(after: "expect")
        let allowed: Bool
        switch token.keyword {
        case .can where !token.isAtLineStart: allowed = true
        case .cannot where !token.isAtLineStart: allowed = false
        default:
            let word = token.kind == .identifier && !token.isAtLineStart ? text(token) : ""
            throw fail(.expectedCanOrCannot, "expected `can` or `cannot` after `\(user.text)`, found \(found)", at: missingRange,
                       help: Self.suggestion(for: word, among: ["can", "cannot"]) ?? "write `expect \(user.text) can ssh on NODE`")
        }
        advance()
        let right = try parseRight(after: allowed ? "can" : "cannot")
        if token.keyword == .on, !token.isAtLineStart { advance() }
        let target = try parseEndpoint(after: "on")
        var at: DateTime?
        if token.keyword == .at, !token.isAtLineStart {
            advance()
            at = try parseDateTime(after: "at")
        }
        return Expectation(user: user, allowed: allowed, right: right, target: target, at: at, range: range(start, previousEnd))
    }
}
