import Foundation
import XCTest

/// Logging in and holding sessions through the lab's sshd, shared by the SSH tests.
extension SSHLab {
    /// Runs `echo logged-in` over ssh with user key `key`, waiting for sshd to listen.
    func login(_ ssh: String, key: Int, waitForSSHD: Bool = false) -> Spawn.Result {
        let command = ["/usr/sbin/ip", "netns", "exec", namespace, ssh] + sshOptions(key: key) + ["echo", "logged-in"]
        var result = Spawn.run(command)
        for _ in 0..<(waitForSSHD ? 50 : 0) where result.status == 255 && result.output.contains("Connection refused") {
            usleep(100_000)  // sshd not listening yet
            result = Spawn.run(command)
        }
        return result
    }

    /// Opens a session (`sleep 120`) with user key `key`.
    func session(_ ssh: String, key: Int) -> pid_t {
        Spawn.start(["/usr/sbin/ip", "netns", "exec", namespace, ssh] + sshOptions(key: key) + ["sleep", "120"],
                    log: path("session\(key).log")) ?? -1
    }

    /// When the session `pid` ended, waiting from `expiry` up to 3 s after it; nil if it did not.
    static func endOfSession(_ pid: pid_t, after expiry: Date) -> Date? {
        while Date() < expiry { usleep(20_000) }
        while Date() < expiry.addingTimeInterval(3) {
            if !Spawn.isRunning(pid) { return Date() }
            usleep(20_000)
        }
        return nil
    }
}
