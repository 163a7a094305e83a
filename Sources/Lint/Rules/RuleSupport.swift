import Diagnostics
import PolicyCompiler
import PolicyLanguage

/// Helpers shared by the rules: locating properties and building fix-its.
enum RuleSupport {
    /// A fix-it deleting `range`: its whole line when nothing else shares it (a trailing
    /// comment goes with it), with the blanks before it when it ends a line.
    static func deletion(of range: SourceRange, in sources: SourceManager, _ message: String) -> Diagnostic.FixIt {
        let file = sources[range.file]
        let bytes = file.bytes
        var start = Int(range.start)
        var end = Int(range.end)
        var lineStart = start
        while lineStart > 0, bytes[lineStart - 1] == 0x20 || bytes[lineStart - 1] == 0x09 { lineStart -= 1 }
        var lineEnd = end
        while lineEnd < bytes.count, bytes[lineEnd] == 0x20 || bytes[lineEnd] == 0x09 || bytes[lineEnd] == 0x0D { lineEnd += 1 }
        let startsLine = lineStart == 0 || bytes[lineStart - 1] == 0x0A
        // A comment after the construct goes with it.
        if startsLine, lineEnd < bytes.count, bytes[lineEnd] == UInt8(ascii: "#") {
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
        }
        let endsLine = lineEnd == bytes.count || bytes[lineEnd] == 0x0A
        if startsLine, endsLine {
            // The whole line.
            start = lineStart
            end = min(bytes.count, lineEnd + 1)
        } else if endsLine {
            // The end of a line: the blanks before it too.
            start = lineStart
            end = lineEnd
        }
        return Diagnostic.FixIt(message, edits: [Diagnostic.TextEdit(range: SourceRange(file: range.file, start: UInt32(start), end: UInt32(end)),
                                                                      replacement: "")])
    }

    /// An insertion of `text` at `offset`.
    static func insertion(_ text: String, at offset: UInt32, file: FileID, _ message: String) -> Diagnostic.FixIt {
        .replace(SourceRange(file: file, at: offset), with: text, message)
    }

    /// `s` when `count` is not 1.
    static func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }

    /// Whole days (rounded up) or hours in a span, for messages.
    static func span(_ seconds: Int64) -> String {
        if seconds >= 2 * 86_400 { return "\((seconds + 86_399) / 86_400) days" }
        let hours = max(1, (seconds + 3599) / 3600)
        return "\(hours) hour\(hours == 1 ? "" : "s")"
    }

    /// The host declarations of `model`'s hosts, each once, with the hosts it declares.
    static func hostGroups(_ context: LintContext) -> [(decl: HostDecl, hosts: [Int])] {
        var order: [SourceRange] = []
        var groups: [SourceRange: [Int]] = [:]
        for (index, host) in context.model.hosts.enumerated() {
            if groups[host.range] == nil { order.append(host.range) }
            groups[host.range, default: []].append(index)
        }
        return order.compactMap { range in
            guard let first = groups[range]?.first, let decl = context.hostDecl(of: context.model.hosts[first]) else { return nil }
            return (decl, groups[range]!)
        }
    }

    /// The host declaration's name as written: `capricorne-[01..35]`.
    static func name(of decl: HostDecl, in context: LintContext) -> String {
        context.sources[decl.range.file].text(decl.name.range)
    }

    /// The `registered-with` property of a host declaration.
    static func registration(of decl: HostDecl) -> (property: Property, value: Registration)? {
        guard let property = decl.properties.first(.registeredWith), case .registration(let value) = property.value else { return nil }
        return (property, value)
    }

    /// The `certificates` property of a vpxi declaration.
    static func lifetime(of decl: VPXIDecl) -> (property: Property, value: Lifetime)? {
        guard let property = decl.properties.first(.certificates), case .lifetime(let value) = property.value else { return nil }
        return (property, value)
    }

    /// The keys the policy declares (registrars and users), each with where its `key` is
    /// written.
    static func declaredKeys(_ context: LintContext) -> [(kind: String, name: String, key: PublicKeyInfo, range: SourceRange)] {
        context.model.registrars.map { ("registrar", $0.name, $0.key, context.registrarDecl(named: $0.name)?.key?.range ?? $0.range) }
            + context.model.users.map { ("user", $0.name, $0.key, context.userDecl(named: $0.name)?.key?.range ?? $0.range) }
    }
}
