import Foundation

/// Runs a command with posix_spawn and waitpid, its output to a file, with a deadline.
/// Used for ssh logins, which Foundation's `Process` sometimes failed to reap in these tests.
enum Spawn {
    struct Result {
        let status: Int32
        let output: String
    }

    static func run(_ arguments: [String], timeout: Double = 20) -> Result {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("vpxi-spawn-\(UUID().uuidString)").path
        defer { unlink(log) }
        guard let pid = start(arguments, log: log) else { return Result(status: -1, output: "cannot spawn \(arguments[0])") }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            usleep(20_000)
        }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0
        return Result(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output: output)
    }

    /// Starts a command in the background, its output to `log`.
    static func start(_ arguments: [String], log: String) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, arguments[0], &actions, nil, argv, environ) == 0 else { return nil }
        return pid
    }

    /// Whether a started process still runs (reaps it when it has ended).
    static func isRunning(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// Kills and reaps a started process.
    static func stop(_ pid: pid_t) {
        guard isRunning(pid) else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
