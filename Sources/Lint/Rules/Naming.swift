import Diagnostics
import PolicyLanguage

/// Names in lowercase kebab-case (`hospital-lyon`, `worker`): the key store names files
/// after principals, and mixed case or `_` make names that differ only in case or
/// separator easy to confuse.
struct Naming: LintRule {
    static let descriptor = RuleDescriptor(
        id: "naming", category: .style, defaultLevel: .info,
        summary: "a declared name that is not lowercase kebab-case")

    func check(_ context: LintContext) -> [LintFinding] {
        var findings: [LintFinding] = []
        func check(_ kind: String, _ name: Identifier) {
            guard !Self.isKebab(name.text) else { return }
            let suggestion = Self.kebab(name.text)
            findings.append(finding("\(kind) name `\(name.text)` is not lowercase kebab-case", at: name.range,
                                    label: "try `\(suggestion)`",
                                    help: "rename it `\(suggestion)` here and where it is used (lowercase letters and digits, words joined by `-`)"))
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
                    for node in decl.nodes { check("node", node.name) }
                    for cluster in decl.clusters { check("cluster", cluster.name) }
                case .include: break
                }
            }
        }
        return findings
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
