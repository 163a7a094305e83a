#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import ToolSupport

/// The toolkit's entry point for its command-line tools: it parses and runs the
/// command as ArgumentParser's own `main()` does, except that a usage error (an
/// unknown option, a missing argument, a value that does not parse or validate)
/// exits with 2, bad input or usage, as every command of the toolkit documents,
/// rather than ArgumentParser's 64 (`EX_USAGE`). Help, `--version` and the
/// commands' own exit statuses pass through unchanged.
public enum ToolkitEntryPoint {
    /// The exit status for an error that escaped parsing or a command's body;
    /// `nil` leaves it to ArgumentParser (help, version, an `ExitCode` thrown by a
    /// command, which it prints as it always does).
    public static func usageStatus<Command: ParsableCommand>(for error: any Error, in command: Command.Type) -> ExitStatus? {
        if error is ExitCode { return nil }
        return command.exitCode(for: error) == .validationFailure ? .badInput : nil
    }

    /// Reports `error` and ends the process: usage errors with their message and
    /// usage line on stderr and status 2; anything else as ArgumentParser would.
    public static func exit<Command: ParsableCommand>(with error: any Error, in command: Command.Type) -> Never {
        if let status = usageStatus(for: error, in: command) {
            Console.err(command.fullMessage(for: error))
            terminate(status.rawValue)
        }
        command.exit(withError: error)
    }

    private static func terminate(_ status: Int32) -> Never {
        #if canImport(Glibc)
        Glibc.exit(status)
        #else
        Darwin.exit(status)
        #endif
    }
}

extension ParsableCommand {
    /// Parses the process's arguments and runs the command; see `ToolkitEntryPoint`.
    public static func toolkitMain() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            ToolkitEntryPoint.exit(with: error, in: self)
        }
    }
}

extension AsyncParsableCommand {
    /// Parses the process's arguments and runs the command, asynchronous
    /// subcommands included; see `ToolkitEntryPoint`.
    public static func toolkitMain() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            ToolkitEntryPoint.exit(with: error, in: self)
        }
    }
}
