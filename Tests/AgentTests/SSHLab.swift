import Agent
import Foundation
import RSA
import TestSupport
import XCTest

/// A namespace with a real sshd on 127.0.0.1:2222 whose AuthorizedKeysFile is the agent's
/// directory, a throwaway account, and `vpxi-agent run` enforcing logins. `close()` tears
/// everything down.
final class SSHLab {
    let namespace: String
    let account: String
    let directory: URL
    let authorizedDirectory: String
    var publicKeys: [String] = []
    private var processes: [pid_t] = []
    private var agent: pid_t?

    /// With `vm`, sshd reads the keys the agent writes for that VM of a bundle (`DIR/VM/%u`).
    init(sshd: String, keygen: String, vm: String? = nil) throws {
        let tag = String(UInt32.random(in: 0..<UInt32.max), radix: 36)
        namespace = "vpxi-ssh-\(tag)"
        account = "vpxi\(tag.prefix(8))"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vpxi-ssh-\(tag)")
        authorizedDirectory = directory.appendingPathComponent("authorized").path
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        chmod(directory.path, 0o755)
        do {
            try run("/usr/sbin/useradd", ["-M", "-d", "/tmp", "-s", "/bin/sh", account])
            try run("/usr/sbin/usermod", ["-p", "*", account])  // not locked: public-key login allowed without PAM
            try run("/usr/sbin/ip", ["netns", "add", namespace])
            try run("/usr/sbin/ip", ["-n", namespace, "link", "set", "lo", "up"])
            try run(keygen, ["-q", "-t", "ed25519", "-N", "", "-f", path("host_ed25519")])
            for index in 0..<2 {
                try run(keygen, ["-q", "-t", "ed25519", "-N", "", "-C", "user\(index)@lab", "-f", path("user\(index)")])
                publicKeys.append(try String(contentsOfFile: path("user\(index).pub"), encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines))
            }
            try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
            let config = """
                Port 2222
                ListenAddress 127.0.0.1
                HostKey \(path("host_ed25519"))
                PidFile \(path("sshd.pid"))
                AuthorizedKeysFile \(authorizedDirectory)/\(vm.map { "\($0)/" } ?? "")%u
                StrictModes no
                UsePAM no
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PubkeyAuthentication yes
                ExposeAuthInfo yes
                LogLevel VERBOSE

                """
            try config.write(toFile: path("sshd_config"), atomically: true, encoding: .utf8)
            try spawn([sshd, "-D", "-e", "-f", path("sshd_config")], log: "sshd.log")
        } catch {
            close()
            throw error
        }
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func close() {
        for pid in processes.reversed() { Spawn.stop(pid) }
        SSHSessions().end(account: account, keyBlobs: nil)
        if let user = getpwnam(account) {  // whatever the throwaway account still runs
            let uid = user.pointee.pw_uid
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = Int32(entry), let status = try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8),
                      status.split(separator: "\n").contains(where: { $0.hasPrefix("Uid:") && $0.split(separator: "\t").dropFirst().first == "\(uid)" })
                else { continue }
                kill(pid, SIGKILL)
            }
        }
        _ = Spawn.run(["/usr/sbin/userdel", account])
        _ = Spawn.run(["/usr/sbin/ip", "netns", "del", namespace])
        if ProcessInfo.processInfo.environment["VPXI_KEEP_LAB"] == nil { try? FileManager.default.removeItem(at: directory) }
    }

    /// Runs a tool to its end (posix_spawn: Foundation's Process did not always reap
    /// children in a process that also runs sshd).
    func run(_ tool: String, _ arguments: [String]) throws {
        let result = Spawn.run([tool] + arguments)
        if result.status != 0 {
            throw AgentError(.system, "\(tool) \(arguments.joined(separator: " ")): \(result.output)")
        }
    }

    @discardableResult
    func spawn(_ command: [String], log: String) throws -> pid_t {
        guard let pid = Spawn.start(["/usr/sbin/ip", "netns", "exec", namespace] + command, log: path(log)) else {
            throw AgentError(.system, "cannot start \(command[0])")
        }
        processes.append(pid)
        return pid
    }

    func sshOptions(key: Int) -> [String] {
        ["-i", path("user\(key)"), "-p", "2222", "-T", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
         "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=5", "-o", "LogLevel=ERROR",
         "\(account)@127.0.0.1"]
    }

    func writeInput(_ logins: [AuthorizedLogin]) throws {
        try Array(try AgentInput.encoder.encode(AgentInput(logins: logins))).write(to: path("input.json"))
    }

    func startAgent() throws {
        let key = NamespaceLab.hostKeys[0]
        try RSAKeyFile(privateKey: key).privateKeyBytes(.pem)!.write(to: path("host.key"))
        agent = try spawn([PackagePaths.executable("vpxi-agent"), "run", "--input", path("input.json"), "--key", path("host.key"),
                           "--state", path("state"), "--authorized-keys-dir", authorizedDirectory, "--log-level", "debug"],
                          log: "agent.log")
        try waitFor("the agent's authorized_keys", seconds: 10) {
            FileManager.default.fileExists(atPath: "\(authorizedDirectory)/\(account)")
        }
    }

    var agentLog: String { (try? String(contentsOfFile: path("agent.log"), encoding: .utf8)) ?? "" }

    var logs: String {
        ["sshd.log", "agent.log"].map { "\($0):\n" + ((try? String(contentsOfFile: path($0), encoding: .utf8)) ?? "") }
            .joined(separator: "\n")
    }

    /// The number of open sshd sessions of `account` (their `sshd: ACCOUNT@...` processes).
    static func sessionCount(_ account: String) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { entry in
            guard Int(entry) != nil, let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self).hasPrefix("sshd: \(account)@")
        }.count
    }

    func waitFor(_ what: String, seconds: Double, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            usleep(50_000)
        }
        throw AgentError(.system, "timed out waiting for \(what)\n\(logs)")
    }
}
