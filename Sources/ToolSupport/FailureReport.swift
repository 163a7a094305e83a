/// Turns an error that ends a command into its message on standard error and the
/// toolkit's exit status, the same way in every executable.
///
/// `CommandFailure` carries its own status, a `FileError` is bad input, and anything
/// else is a bug (status 3, with how to report it) unless the tool's `classify`
/// recognises it as one of its own typed errors.
public enum FailureReport {
    /// What a tool says of one of its own errors: the whole message and the status.
    public typealias Classification = (message: String, status: ExitStatus)

    /// Prints `error` on standard error and returns the status to exit with.
    public static func report(
        _ error: any Error,
        tool: String,
        classify: (any Error) -> Classification? = { _ in nil }
    ) -> ExitStatus {
        let (message, status) = describe(error, tool: tool, classify: classify)
        Console.err(message)
        return status
    }

    /// The message and status for `error`, without printing anything.
    public static func describe(
        _ error: any Error,
        tool: String,
        classify: (any Error) -> Classification? = { _ in nil }
    ) -> Classification {
        let (message, status) = unsafeDescription(error, tool: tool, classify: classify)
        // Messages quote what was given (names, paths, a server's words): nothing in them
        // may act on the terminal.
        return (TerminalText.visible(message), status)
    }

    private static func unsafeDescription(
        _ error: any Error,
        tool: String,
        classify: (any Error) -> Classification?
    ) -> Classification {
        if let own = classify(error) {
            return own
        }
        switch error {
        case let failure as CommandFailure:
            return ("error: \(failure.message)", failure.status)
        case let failure as FileError:
            return ("error: \(failure)", .badInput)
        default:
            return ("error: internal error: \(error)\nThis is a bug in \(tool); please report it with the command and input that caused it.", .internalError)
        }
    }
}
