import ArgumentParser
import SExpr
import ToolSupport

/// Runs a command body and turns every failure into a message on stderr and the
/// toolkit's exit status (2 bad input, 1 refused, 3 internal).
enum CommandRunner {
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let failure as CommandFailure {
            Console.err("error: \(failure.message)")
            throw ExitCode(failure.status.rawValue)
        } catch let failure as FileError {
            Console.err("error: \(failure)")
            throw ExitCode(ExitStatus.badInput.rawValue)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            Console.err("error: internal error: \(error)\nThis is a bug in spki; please report it with the command and input that caused it.")
            throw ExitCode(ExitStatus.internalError.rawValue)
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

    /// Writes `bytes` to `path` atomically, or to standard output when `path` is nil or `-`.
    static func emit(_ bytes: [UInt8], to path: String?) throws {
        if let path, path != "-" {
            try AtomicFile.write(bytes, to: path)
        } else {
            Console.out(bytes)
        }
    }
}
