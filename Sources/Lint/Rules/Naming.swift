import Diagnostics
import PolicyLanguage

/// Names in lowercase kebab-case (`hospital-lyon`, `worker`): the key store names files
/// after principals, and mixed case or `_` make names that differ only in case or
/// separator easy to confuse.
struct Naming: LintRule {
    static let descriptor = RuleDescriptor(
        id: "naming", category: .style, defaultLevel: .info,
        summary: "a declared name that is not lowercase kebab-case", hasFixIt: true)

    func check(_ context: LintContext) -> [LintFinding] {
        var findings: [LintFinding] = []
        let files = context.files.map(\.source)
        /// `scope`: the vpxi body for nodes and clusters, nil (every file) for the rest.
        func check(_ kind: String, _ name: Identifier, scope: SourceRange? = nil) {
            guard !Self.isKebab(name.text) else { return }
            let suggestion = Self.kebab(name.text)
            findings.append(finding("\(kind) name `\(name.text)` is not lowercase kebab-case", at: name.range,
                                    label: "try `\(suggestion)`",
                                    help: "rename it `\(suggestion)` here and where it is used (lowercase letters and digits, words joined by `-`)",
                                    fixIts: rename(name.text, to: suggestion, files: files, scope: scope)))
        }
        for file in context.files {
            for declaration in file.policy.declarations {
                switch declaration {
                case .registrar(let decl): check("registrar", decl.name)
                case .community(let decl): check("community", decl.name)
                case .host(let decl): check("host", decl.name.base)
                case .user(let decl): check("user", decl.name)
                case .vpxi(let decl):
                    check("vpxi", decl.name)
                    for node in decl.nodes { check("node", node.name, scope: decl.body) }
                    for cluster in decl.clusters { check("cluster", cluster.name, scope: decl.body) }
                case .include: break
                }
            }
        }
        return findings
    }

    /// Renames every whole-word occurrence (outside strings and comments), unless the
    /// new name is already written somewhere (the rename would merge two names).
    func rename(_ old: String, to new: String, files: [SourceFile], scope: SourceRange?) -> [Diagnostic.FixIt] {
        guard Self.isKebab(new) else { return [] }
        var edits: [Diagnostic.TextEdit] = []
        for file in files where scope == nil || scope!.file == file.id {
            let limit = scope.map { Int($0.start)..<Int($0.end) }
            guard NameOccurrences.ranges(of: new, in: file, within: limit).isEmpty else { return [] }
            edits += NameOccurrences.ranges(of: old, in: file, within: limit).map { Diagnostic.TextEdit(range: $0, replacement: new) }
        }
        return edits.isEmpty ? [] : [Diagnostic.FixIt("rename `\(old)` to `\(new)`", edits: edits)]
    }

    /// Lowercase letters and digits, starting with a letter, words joined by single `-`
    /// (a host range's base may end in `-`: `capricorne-[01..35]`).
    static func isKebab(_ name: String) -> Bool {
        var previous: Character = "-"
        for (offset, character) in name.enumerated() {
            if character == "-" {
                if offset == 0 || previous == "-" { return false }
            } else if !(character.isASCII && (character.isLowercase || character.isNumber)) {
                return false
            } else if offset == 0, character.isNumber {
                return false
            }
            previous = character
        }
        return !name.isEmpty
    }

    /// `HospitalLyon` → `hospital-lyon`, `data_set` → `data-set`.
    static func kebab(_ name: String) -> String {
        var out = ""
        var previousLower = false
        for character in name {
            if character == "_" || character == "-" {
                if !out.hasSuffix("-") { out += "-" }
                previousLower = false
            } else {
                if character.isUppercase, previousLower, !out.hasSuffix("-") { out += "-" }
                out += character.lowercased()
                previousLower = character.isLowercase || character.isNumber
            }
        }
        return out
    }
}
