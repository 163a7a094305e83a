import ArgumentParser
import SExpr
import ToolSupport

/// Runs a command body and turns every failure into a message on stderr and the
/// toolkit's exit status (2 bad input, 1 refused, 3 internal).
enum CommandRunner {
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw ExitCode(FailureReport.report(error, tool: "spki").rawValue)
        }
    }

    /// Reads and parses an S-expression input, reporting errors as `file:line:col`.
    static func parseInput(_ path: String?) throws -> SExprDocument {
        let bytes = try InputReader.read(path)
        do {
            return try SExprParser().parse(bytes)
        } catch {
            throw CommandFailure(.badInput, "\(InputReader.displayName(path)):\(error.line):\(error.column): \(error.message) (offset \(error.offset), \(error.code.rawValue))")
        }
    }

    /// Writes private key material: to `path` atomically with mode 0600, or to standard
    /// output when that is a pipe or a file. Key material is not shown on a screen (or
    /// kept in a terminal's scroll-back): a terminal is refused.
    static func emitPrivate(_ bytes: [UInt8], to path: String?, publicOption: Bool = false) throws {
        if let path, path != "-" {
            try AtomicFile.write(bytes, to: path, mode: 0o600)
        } else if Console.stdoutIsTerminal {
            throw CommandFailure(.badInput, """
                refusing to print a private key on a terminal
                  help: write it to a file with -o FILE (mode 0600)\(publicOption ? ", pipe it to another command, or add --public for the public key" : " or pipe it to another command")
                """)
        } else {
            Console.out(bytes)
        }
    }

    /// Writes `bytes` to `path` atomically, or to standard output when `path` is nil or `-`.
    static func emit(_ bytes: [UInt8], to path: String?) throws {
        if let path, path != "-" {
            try AtomicFile.write(bytes, to: path)
        } else {
            Console.out(bytes)
        }
    }
}
