#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import RSA
import SExpr
import SPKI
import ToolSupport

/// Reading the inputs of the cert, reduce and prove commands: times, tags, subjects, ACLs
/// and bags of certs, with errors as command failures (exit 2) naming the input.
enum SPKIInput {
    /// An SPKI error as a failure about `place`.
    static func failure(_ error: SPKIError, in place: String) -> CommandFailure {
        var message = "\(place): \(error.message) [\(error.code.rawValue)]"
        if let help = error.help { message += "\n  help: \(help)" }
        return CommandFailure(.badInput, message)
    }

    static func warn(_ warnings: [SPKIWarning], in place: String) {
        for warning in warnings { Console.err("warning: \(place): \(warning)") }
    }

    /// Every top-level expression of a file (or standard input).
    static func parseAll(_ path: String) throws -> [SExpr] {
        try parseDocument(path).values
    }

    /// Every expression of a file, as a parsed document (which keeps their input bytes).
    static func parseDocument(_ path: String) throws -> SExprDocument {
        let bytes = try InputReader.read(path)
        do {
            return try SExprParser().parse(bytes)
        } catch {
            throw CommandFailure(.badInput, "\(InputReader.displayName(path)):\(error.line):\(error.column): \(error.message) (offset \(error.offset), \(error.code.rawValue))")
        }
    }

    /// Exactly one expression from text given on the command line.
    static func parseArgument(_ text: String, option: String) throws -> SExpr {
        do {
            return try SExpr.parse(text)
        } catch {
            throw CommandFailure(.badInput, "\(option) `\(text)`: column \(error.column): \(error.message) (\(error.code.rawValue))")
        }
    }

    /// A time in the SPKI form (`2026-12-02_10:00:00`, prefixes allowed) or RFC 3339.
    static func time(_ text: String, option: String) throws -> SPKIDate {
        do {
            let parsed = try SPKIDate.parse(commandLine: text)
            if parsed.wasTruncated { Console.err("warning: \(option) `\(text)` is a truncated date, read as \(parsed.date)") }
            return parsed.date
        } catch {
            throw failure(error, in: option)
        }
    }

    /// The current time, to the second.
    static func now() -> SPKIDate { SPKIDate(secondsSinceEpoch: Int64(Glibc.time(nil))) }

    /// A tag given as `(tag T)` or a bare `T`, in any form; `@FILE` reads it from a file.
    static func tag(_ text: String, option: String = "--tag") throws -> Tag {
        let value = try argumentExpression(text, option: option)
        do {
            return try Tag(fieldOrExpression: value).normalized
        } catch {
            throw failure(error, in: "\(option) `\(text)`")
        }
    }

    /// An expression given inline, or `@FILE`.
    static func argumentExpression(_ text: String, option: String) throws -> SExpr {
        guard text.hasPrefix("@") else { return try parseArgument(text, option: option) }
        let path = String(text.dropFirst())
        let values = try parseAll(path)
        guard values.count == 1 else {
            throw CommandFailure(.badInput, "\(option) \(text): the file holds \(values.count) expressions, expected one")
        }
        return values[0]
    }

    /// A subject or principal: an S-expression (`(public-key …)`, `(hash …)`, `(name …)`,
    /// …) inline or in `@FILE`; a file may also hold a key in any format (PEM, OpenSSH).
    static func subject(_ text: String, option: String = "--subject") throws -> Subject {
        if text.hasPrefix("@") {
            let path = String(text.dropFirst())
            let bytes = try InputReader.read(path, limit: 1 << 20)
            if let value = try? SExpr.parse(bytes), let head = value.head, head != "private-key" {
                do {
                    return try Subject(parsing: value)
                } catch {
                    throw failure(error, in: "\(option) \(text)")
                }
            }
            do {
                return .principal(Principal(key: try RSAKeyFile.load(bytes)))
            } catch {
                throw KeyInput.failure(error, in: "\(option) \(text)")
            }
        }
        let value = try parseArgument(text, option: option)
        do {
            return try Subject(parsing: value)
        } catch {
            throw failure(error, in: "\(option) `\(text)`")
        }
    }

    /// Reads the ACL file: an `(acl …)`.
    static func acl(_ path: String) throws -> ACL {
        let values = try parseAll(path)
        let name = InputReader.displayName(path)
        guard values.count == 1 else {
            var message = "\(name): an ACL file holds one `(acl …)`, this one holds \(values.count) expressions"
            if values.count > 1, values.allSatisfy({ $0.head == "acl" }) {
                message += "\nhelp: a compiled `acl/VPXI` holds every machine's ACL, one after the other; take one machine's "
                    + "with the offset and length of its `(acl ...)` record in the manifest: "
                    + "`tail -c +$((OFFSET + 1)) \(name) | head -c LENGTH > machine.acl` (Docs/outputs.md)"
            }
            throw CommandFailure(.badInput, message)
        }
        var warnings: [SPKIWarning] = []
        do {
            let acl = try ACL(parsing: values[0], warnings: &warnings)
            warn(warnings, in: name)
            return acl
        } catch {
            throw failure(error, in: name)
        }
    }

    /// Extra public keys for the key store.
    static func keyStore(_ paths: [String]) throws -> KeyStore {
        var store = KeyStore()
        for path in paths { store.add(key: try KeyInput.load(path)) }
        return store
    }

    /// Adds every expression of a file to a bag builder: sequences, certs, keys, signatures.
    /// With `lenient` (files found in a directory), a file that is not S-expressions and
    /// expressions that are not such objects (private keys, ACLs) are skipped with a warning.
    static func add(file path: String, to builder: inout CertBag.Builder, lenient: Bool = false) throws {
        let name = InputReader.displayName(path)
        let document: SExprDocument
        do {
            document = try parseDocument(path)
        } catch let failure as CommandFailure where lenient {
            Console.err("warning: skipped \(name): not S-expressions (\(failure.message))")
            return
        }
        let objects: Set<String> = ["sequence", "cert", "public-key", "signature"]
        let roots = document.roots
        for (index, root) in roots.enumerated() {
            // The head alone: the value is read once, by the sequence.
            let head = document.isList(root) && document.childCount(root) > 0 && !document.isList(root + 1)
                && document.atomHint(root + 1) == nil ? document.value(root + 1).text : nil
            if lenient, !objects.contains(head ?? "") {
                Console.err("warning: skipped \(name), expression \(index + 1): \(head.map { "(\($0) …)" } ?? "an atom") is not a cert, key, signature or sequence")
                continue
            }
            let origin = roots.count > 1 ? "\(name), expression \(index + 1)" : name
            var warnings: [SPKIWarning] = []
            do {
                try builder.add(SPKISequence(parsing: document, root: root, warnings: &warnings), origin: origin)
            } catch {
                throw failure(error, in: origin)
            }
            warn(warnings, in: origin)
        }
    }

    /// The regular files of `path`: itself, or (for a directory) every file below it, sorted,
    /// skipping names that start with a dot.
    static func files(_ path: String) throws -> [String] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CommandFailure(.badInput, "cannot read `\(path)`: \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return [path] }
        guard let directory = opendir(path) else {
            throw CommandFailure(.badInput, "cannot read the directory `\(path)`: \(String(cString: strerror(errno)))")
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            names.append(name)
        }
        var out: [String] = []
        for name in names.sorted() { out += try files(path.hasSuffix("/") ? path + name : path + "/" + name) }
        return out
    }

    /// Warnings about legacy signatures in a bag.
    static func warnLegacy(_ bag: CertBag) {
        for (index, entry) in bag.entries.enumerated() {
            if case .verified(let legacy?) = entry.status {
                Console.err("warning: \(bag.label(index)) is signed with \(legacy.rawValue), accepted only for legacy objects")
            }
        }
    }
}
