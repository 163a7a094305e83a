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

    /// Writes `bytes` to `path` atomically, or to standard output when `path` is nil or `-`.
    static func emit(_ bytes: [UInt8], to path: String?) throws {
        if let path, path != "-" {
            try AtomicFile.write(bytes, to: path)
        } else {
            Console.out(bytes)
        }
    }
}
