import Foundation
import Logging
import ToolSupport

/// Writes one authorized_keys file per account (point sshd at it with
/// `AuthorizedKeysFile DIR/%u`), keeps only logins that have not expired, and ends the
/// sessions of logins that disappear or expire.
public final class SSHEnforcer: Sendable {
    public let directory: String
    let sessions: SSHSessions
    let logger: Logger
    private let state = Locked<[AuthorizedLogin]>([])

    public init(directory: String, sessions: SSHSessions = SSHSessions(), logger: Logger) {
        self.directory = directory
        self.sessions = sessions
        self.logger = logger
    }

    /// The logins currently written.
    public var active: [AuthorizedLogin] { state.withLock { $0 } }

    /// Validates every login, then writes every account's file (each atomically), removes
    /// the files of accounts no longer present, and ends the sessions of logins removed.
    public func apply(_ logins: [AuthorizedLogin], now: Date = Date()) throws(AgentError) {
        for login in logins { try login.validate() }
        let current = logins.filter { $0.expiry > now }
        var files = [String: [String]]()
        for login in current { files[login.account, default: []].append(login.authorizedKeysLine) }
        let previous = state.withLock { $0 }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw AgentError(.system, "cannot create \(directory): \(error.localizedDescription)")
        }
        for account in files.keys.sorted() {
            let text = files[account]!.sorted().joined(separator: "\n") + "\n"
            do {
                try AtomicFile.write(text, to: "\(directory)/\(account)", mode: 0o644)
            } catch {
                throw AgentError(.system, "cannot write the keys of \(account): \(error)")
            }
        }
        let stale = Set(previous.map(\.account)).subtracting(files.keys)
        for account in stale.sorted() { unlink("\(directory)/\(account)") }
        state.withLock { $0 = current }

        let kept = Set(current.map { "\($0.account) \($0.keyFields?.blob ?? "")" })
        let removed = previous.filter { !kept.contains("\($0.account) \($0.keyFields?.blob ?? "")") }
        for (account, logins) in Dictionary(grouping: removed, by: \.account) {
            let blobs = Set(logins.compactMap { $0.keyFields?.blob })
            let ended = sessions.end(account: account, keyBlobs: blobs)
            logger.notice("login removed", metadata: [
                "account": "\(account)", "keys": "\(blobs.count)", "sessions_ended": "\(ended.count)",
            ])
        }
    }

    /// Re-applies the current logins at `now`, so that those that expired are removed
    /// and their sessions ended. Cheap when nothing expired.
    public func enforce(now: Date = Date()) {
        let logins = state.withLock { $0 }
        guard logins.contains(where: { $0.expiry <= now }) else { return }
        do {
            try apply(logins, now: now)
        } catch {
            logger.error("expiry enforcement failed", metadata: ["code": "\(error.code.rawValue)", "reason": "\(error.message)"])
        }
    }
}
