import Diagnostics

extension Parser {
    /// policy = { declaration } ;
    mutating func parsePolicy() -> [Declaration] {
        var declarations: [Declaration] = []
        while !isAtEnd {
            constructMark = bag.errorCount
            reportedUnclosed = false
            let keyword = token.keyword
            do throws(SyntaxFailure) {
                switch keyword {
                case .include: declarations.append(.include(try parseInclude()))
                case .registrar: declarations.append(.registrar(try parseRegistrar()))
                case .community: declarations.append(.community(try parseCommunity()))
                case .host: declarations.append(.host(try parseHost()))
                case .user: declarations.append(.user(try parseUser()))
                case .vpxi: declarations.append(.vpxi(try parseVPXI()))
                default: throw unexpectedAtTopLevel()
                }
            } catch {
                synchroniseTopLevel()
            }
        }
        return declarations
    }

    /// Reports what is wrong with a token that cannot start a declaration, and
    /// steps over it.
    private mutating func unexpectedAtTopLevel() -> SyntaxFailure {
        let here = tokenRange
        let word = text(token)
        defer { advance() }
        if token.kind == .rightBrace {
            return fail(.unmatchedCloseBrace, "unmatched `}`", at: here, label: "no `{` is open here",
                        help: "remove it, or look for a `}` too many in the declaration above")
        }
        if token.keyword.isVPXIMember || token.keyword == .expect {
            return fail(.outsideVPXI, "`\(word)` must be inside a `vpxi` block", at: here,
                        help: "move it into the body of the vpxi it belongs to: `vpxi NAME { ... }`")
        }
        var help = "a policy is a list of `include`, `registrar`, `community`, `host`, `user` and `vpxi` declarations"
        var fixIts: [Diagnostic.FixIt] = []
        if token.kind == .identifier, let close = SpellingSuggestion.closest(to: word, in: Keyword.declarationSpellings) {
            help = "did you mean `\(close)`?"
            fixIts = [.replace(here, with: close, "replace `\(word)` with `\(close)`")]
        }
        return fail(.expectedDeclaration, "expected a declaration, found \(this)", at: here, help: help, fixIts: fixIts)
    }

    /// Consumes a name after `what`, or fails with E0011.
    /// After a `,` (`continuation`), the name may be on the next line.
    mutating func expectName(after what: String, continuation: Bool = false) throws(SyntaxFailure) -> Identifier {
        guard token.kind == .identifier, continuation || !token.isAtLineStart else {
            throw fail(.expectedName, "expected a name after `\(what)`, found \(found)", at: missingRange,
                       help: "names start with a letter and may hold letters, digits, `_` and `-`")
        }
        return takeIdentifier()
    }

    /// Consumes a string, or fails with E0024; an empty one is E0007 when `nonEmpty`.
    mutating func expectString(after what: String, nonEmpty: Bool = true) throws(SyntaxFailure) -> StringLiteral {
        guard token.kind == .string, !token.isAtLineStart else {
            throw fail(.expectedString, "expected a quoted string after `\(what)`, found \(found)", at: missingRange,
                       help: "write it between double quotes, e.g. `\(what) \"...\"`")
        }
        let value = StringEscapes.decode(bytes, start: Int(token.start), end: Int(token.end))
        let literal = StringLiteral(value, range: tokenRange)
        if nonEmpty, value.isEmpty {
            throw fail(.emptyString, "empty string after `\(what)`", at: tokenRange,
                       help: "give the \(what == "image" ? "image name" : what == "include" ? "path of the file" : "value")")
        }
        advance()
        return literal
    }

    /// include = "include" STRING ;
    mutating func parseInclude() throws(SyntaxFailure) -> IncludeDecl {
        let start = token.start
        advance()
        let path = try expectString(after: "include")
        return IncludeDecl(path: path, range: range(start, previousEnd))
    }

    /// registrar = "registrar" NAME key ;
    mutating func parseRegistrar() throws(SyntaxFailure) -> RegistrarDecl {
        let start = token.start
        advance()
        let name = try expectName(after: "registrar")
        var key: KeyReference?
        if token.keyword == .key {
            key = try parseKey()
        } else {
            report(.missingKey, "registrar `\(name.text)` has no key", at: name.range,
                   help: "add its public key: `registrar \(name.text) key \"keys/\(name.text).pub\"`")
        }
        return RegistrarDecl(name: name, key: key, range: range(start, previousEnd))
    }

    /// community = "community" NAME ;
    mutating func parseCommunity() throws(SyntaxFailure) -> CommunityDecl {
        let start = token.start
        advance()
        let name = try expectName(after: "community")
        return CommunityDecl(name: name, range: range(start, previousEnd))
    }

    /// key = "key" [ "spki" | "pem" | "openssh" ] [ "inline" ] STRING ;
    mutating func parseKey() throws(SyntaxFailure) -> KeyReference {
        let start = token.start
        advance()
        var format = KeyReference.Format.detect
        var isInline = false
        if token.kind == .identifier, !token.isAtLineStart {
            switch token.keyword {
            case .spki: format = .spki; advance()
            case .pem: format = .pem; advance()
            case .openssh: format = .openssh; advance()
            case .inline: break
            default:
                let word = text(token)
                let after = Int(token.end) < bytes.count ? bytes[Int(token.end)] : 0
                if after == UInt8(ascii: "/") || after == UInt8(ascii: ".") {
                    var end = Int(token.end)
                    while end < bytes.count, ![0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "#")].contains(bytes[end]) { end += 1 }
                    let path = text(in: range(token.start, UInt32(end)))
                    throw fail(.expectedString, "expected a quoted path after `key`, found `\(path)`",
                               at: range(token.start, UInt32(end)), help: "quote the path: `key \"\(path)\"`",
                               fixIts: [.replace(range(token.start, UInt32(end)), with: "\"\(path)\"", "quote the path")])
                }
                let formats = ["spki", "pem", "openssh", "inline"]
                throw fail(.unknownKeyFormat, "unknown key format `\(word)`", at: tokenRange,
                           help: Self.suggestion(for: word, among: formats)
                               ?? "the formats are `spki`, `pem` and `openssh` (or none, to detect it); `inline` gives the key itself")
            }
            if token.keyword == .inline, token.kind == .identifier {
                isInline = true
                advance()
            }
        }
        let text = try expectString(after: isInline ? "inline" : "key")
        return KeyReference(format: format, isInline: isInline, text: text, range: range(start, previousEnd))
    }

    /// user = "user" NAME { key | "member-of" names | "clearance" LEVEL } ;
    mutating func parseUser() throws(SyntaxFailure) -> UserDecl {
        let start = token.start
        advance()
        let name = try expectName(after: "user")
        var key: KeyReference?
        var memberOf = SlabList<Identifier>()
        var clearance: Identifier?
        var seen: [Keyword: SourceRange] = [:]
        while token.kind == .identifier, [.key, .memberOf, .clearance].contains(token.keyword) {
            let keyword = token.keyword
            let clauseStart = tokenRange
            if let first = seen[keyword] {
                throw fail(.duplicateProperty, "`\(keyword.spelling)` is given twice for user `\(name.text)`", at: clauseStart,
                           notes: [Diagnostic.Note("first given here", at: first)], help: "keep one of them")
            }
            seen[keyword] = clauseStart
            switch keyword {
            case .key:
                key = try parseKey()
            case .memberOf:
                advance()
                memberOf = try parseNameList(after: "member-of")
            default:
                advance()
                clearance = try parseLevel(after: "clearance")
            }
        }
        if key == nil {
            report(.missingKey, "user `\(name.text)` has no key", at: name.range,
                   help: "add the user's public key: `user \(name.text) key \"keys/\(name.text).pub\"`")
        }
        return UserDecl(name: name, key: key, memberOf: memberOf, clearance: clearance, range: range(start, previousEnd))
    }

    /// names = NAME { "," NAME } ;
    mutating func parseNameList(after what: String) throws(SyntaxFailure) -> SlabList<Identifier> {
        var names = [try expectName(after: what)]
        while token.kind == .comma {
            advance()
            names.append(try expectName(after: ",", continuation: true))
        }
        return identifierSlab.store(names)
    }

    /// host = "host" name-pattern block ;
    mutating func parseHost() throws(SyntaxFailure) -> HostDecl {
        let start = token.start
        advance()
        let base = try expectName(after: "host")
        var indices: IndexRange?
        if token.kind == .leftBracket, token.start == previousEnd {
            indices = try parseIndexRange(requireRange: true, what: "host range")
        }
        let pattern = NamePattern(base: base, indices: indices)
        let (properties, body) = try parseBlock(.host, what: "host `\(base.text)`", hasRange: indices != nil)
        return HostDecl(name: pattern, properties: properties, body: body, range: range(start, previousEnd))
    }
}
