import Foundation

/// Finds and ends the open sshd sessions of an account, from /proc.
///
/// OpenSSH names its processes `sshd: ACCOUNT [priv]` (the privileged monitor) and
/// `sshd: ACCOUNT@pts/N` or `sshd: ACCOUNT@notty` (the session). With `ExposeAuthInfo yes`
/// in sshd_config, the session's processes carry `SSH_USER_AUTH`, a file naming the key
/// used, so only the sessions opened with a removed key are ended. Without it, every
/// session of the account is ended: when in doubt, access ends.
public struct SSHSessions: Sendable {
    public let procRoot: String

    public init(procRoot: String = "/proc") { self.procRoot = procRoot }

    struct Process {
        let pid: Int32
        let parent: Int32
        let commandLine: String
    }

    func processes() -> [Process] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: procRoot)) ?? []
        return entries.compactMap { entry -> Process? in
            guard let pid = Int32(entry) else { return nil }
            guard let stat = try? String(contentsOfFile: "\(procRoot)/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let rest = stat[stat.index(after: close)...].split(separator: " ")
            guard rest.count > 2, let parent = Int32(rest[1]) else { return nil }
            let raw = (try? Data(contentsOf: URL(fileURLWithPath: "\(procRoot)/\(entry)/cmdline"))) ?? Data()
            let line = String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            return Process(pid: pid, parent: parent, commandLine: line)
        }
    }

    /// The key blobs that authenticated the session rooted at `pid` (from SSH_USER_AUTH), or nil when unknown.
    func authenticatedKeys(under pid: Int32, in all: [Process]) -> [String]? {
        var queue = [pid]
        var visited = Set<Int32>()
        while let next = queue.popLast(), visited.insert(next).inserted {
            if let environment = try? Data(contentsOf: URL(fileURLWithPath: "\(procRoot)/\(next)/environ")) {
                for variable in environment.split(separator: 0) {
                    let text = String(decoding: variable, as: UTF8.self)
                    if text.hasPrefix("SSH_USER_AUTH="),
                       let info = try? String(contentsOfFile: String(text.dropFirst(14)), encoding: .utf8) {
                        return info.split(separator: "\n").compactMap { line in
                            let fields = line.split(separator: " ")
                            return fields.count >= 3 && fields[0] == "publickey" ? String(fields[2]) : nil
                        }
                    }
                }
            }
            queue.append(contentsOf: all.filter { $0.parent == next }.map(\.pid))
        }
        return nil
    }

    /// Ends the sessions of `account` opened with one of `keyBlobs` (or, when the key of a
    /// session cannot be known, every session of the account; `nil`: every session).
    /// Returns the pids signalled.
    @discardableResult
    public func end(account: String, keyBlobs: Set<String>?) -> [Int32] {
        let all = processes()
        let monitors = all.filter { $0.commandLine == "sshd: \(account) [priv]" }
        var ended = [Int32]()
        for monitor in monitors {
            if let keyBlobs, let keys = authenticatedKeys(under: monitor.pid, in: all), keyBlobs.isDisjoint(with: keys) { continue }
            // The whole tree: the session's commands first, then the monitor (which closes the connection).
            var tree = [Int32]()
            var queue = [monitor.pid]
            while let next = queue.popLast() {
                let children = all.filter { $0.parent == next }.map(\.pid)
                tree.append(contentsOf: children)
                queue.append(contentsOf: children)
            }
            for pid in tree.reversed() { kill(pid, SIGKILL) }
            kill(monitor.pid, SIGTERM)
            ended.append(contentsOf: tree + [monitor.pid])
        }
        return ended
    }
}
