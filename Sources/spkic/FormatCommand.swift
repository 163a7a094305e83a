import ArgumentParser
import Diagnostics
import PolicyLanguage
import ToolSupport

struct FormatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmt",
        abstract: "Format policies canonically.",
        discussion: """
            Prints each file in canonical form, or rewrites it in place with -w, or \
            with --check only says which files would change. Comments are kept, and \
            formatting twice gives the same result as formatting once. \
            Exit status: 0 done (or nothing to change), 1 --check found a file that \
            would change, 2 a file could not be read or has syntax errors.

            Examples:
              spkic fmt bronze-standard.vp              # print the formatted policy
              spkic fmt -w policies/*.vp                # rewrite in place
              spkic fmt --check policies/*.vp           # in CI: fail if not formatted
              cat draft.vp | spkic fmt -                # from standard input
            """
    )

    @Argument(help: "The policy files to format (`-` for standard input).")
    var files: [String]

    @Flag(help: "Change nothing; exit 1 and show what would change if a file is not formatted.")
    var check = false

    @Flag(name: [.customShort("w"), .customLong("write")], help: "Rewrite the files in place.")
    var write = false

    func validate() throws {
        if check && write { throw ValidationError("--check and -w cannot be used together") }
        if write && files.contains("-") { throw ValidationError("-w cannot rewrite standard input") }
    }

    func run() throws {
        var badInput = false
        var wouldChange = false
        for path in files {
            var sources = SourceManager()
            let bytes: [UInt8]
            switch FileAccess.read(path) {
            case .failure(let failure):
                Console.err("error: cannot read `\(path)`: \(failure.reason)")
                badInput = true
                continue
            case .success(let read):
                bytes = read
            }
            let source = sources.add(name: path == "-" ? InputReader.standardInputName : path, bytes: bytes)
            let parsed = PolicyParser.parse(source)
            guard !parsed.hasErrors else {
                Console.err(String(DiagnosticOutput.render(parsed.diagnostics, sources: sources, format: .human).dropLast()))
                Console.err("error: `\(source.name)` has syntax errors; not formatted")
                badInput = true
                continue
            }
            let formatted = PolicyFormatter.formatBytes(parsed.policy, source: source)
            if check {
                if formatted != bytes {
                    wouldChange = true
                    Console.out("would reformat \(source.name)\n")
                    let summary = FormatDiff.summary(original: String(decoding: bytes, as: UTF8.self),
                                                     formatted: String(decoding: formatted, as: UTF8.self), name: source.name)
                    Console.out(summary ?? "")
                }
            } else if write {
                if formatted != bytes {
                    do {
                        let target = FileAccess.rewriteTarget(of: path)
                        try AtomicFile.write(formatted, to: target, mode: FileAccess.mode(of: target))
                    } catch {
                        Console.err("error: \(error)")
                        badInput = true
                    }
                }
            } else {
                Console.out(formatted)
            }
        }
        if badInput { throw ExitCode(ExitStatus.badInput.rawValue) }
        if wouldChange { throw ExitCode(ExitStatus.refused.rawValue) }
    }
}
