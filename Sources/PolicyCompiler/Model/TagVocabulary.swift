import SExpr
import SPKI

/// How rights become SPKI tags (`Docs/outputs.md` documents the vocabulary).
///
/// A certificate for machine R of vpxi V carries
/// `(tag (vpxi "V" (resource (hash sha256 |H(R)|)) RIGHTS))`, where RIGHTS is:
/// - `ssh` for a right without arguments (an atom);
/// - `(*)` for `*`;
/// - `(file (* set read write) (* prefix "/data"))` for `file(read, write, "/data")`:
///   the list headed by the right's name, where each run of name arguments is one
///   element (the name, or a set of them) and each string argument is a prefix;
/// - `(* set R1 R2 ...)` for several rights, in SPKI normal form.
///
/// A request (what an expectation asks, what a user presents) is the same with strings
/// taken literally: `expect bob can file(read, "/data/x")` asks
/// `(vpxi "V" (resource ...) (file read "/data/x"))`. SPKI tag intersection then gives
/// exactly the intended answers: a prefix allows every path under it, a list allows
/// longer requests, a set allows any of its members.
public enum TagVocabulary {
    /// The tag of a list of granted rights, normalised.
    public static func grantTag(_ rights: [PolicyModel.Right]) -> Tag {
        Tag.set(rights.map { tag(for: $0, strings: .prefix) }).normalized
    }

    /// The request tag of one right.
    public static func requestTag(_ right: PolicyModel.Right) -> Tag {
        tag(for: right, strings: .literal).normalized
    }

    enum StringMode { case prefix, literal }

    static func tag(for right: PolicyModel.Right, strings: StringMode) -> Tag {
        if right.name == "*" { return .all }
        guard let arguments = right.arguments else { return .string(right.name) }
        var elements: [Tag] = []
        var names: [Tag] = []
        func flushNames() {
            if names.count == 1 { elements.append(names[0]) } else if !names.isEmpty { elements.append(.set(names)) }
            names = []
        }
        for argument in arguments {
            switch argument {
            case .name(let word):
                names.append(.string(word))
            case .text(let text):
                flushNames()
                elements.append(strings == .prefix ? .prefix(SExpr.Atom(text)) : .string(text))
            }
        }
        flushNames()
        return .list(right.name, elements)
    }

    /// `(resource (hash sha256 |H|))` for a machine's key.
    public static func resourceElement(_ key: PublicKeyInfo) -> Tag {
        guard case .list(let items) = key.hash else { return .list("resource", []) }
        let hash = Tag.list("hash", items.dropFirst().compactMap { $0.atomValue.map(Tag.atom) })
        return .list("resource", [hash])
    }

    /// `(vpxi "V" (resource ...) RIGHTS)`.
    public static func resourceTag(vpxi: String, resource: PublicKeyInfo, rights: Tag) -> Tag {
        .list("vpxi", [.string(vpxi), resourceElement(resource), rights])
    }
}
