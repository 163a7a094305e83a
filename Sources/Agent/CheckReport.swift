import Foundation

/// What `vpxi-agent check` says about a verified state at a time: the SAs and logins that
/// would be enforced, those that would not and why, and the refused logins (errors).
public struct CheckReport: Sendable {
    public var lines: [String] = []
    public var errors: [AgentError] = []

    /// The report of a verified bundle at `time`.
    public init(bundle: AgentBundle, at time: Date) {
        var logins: [String] = []
        var enforced = 0
        for (entry, decision) in bundle.logins(at: time) {
            let who = "\(entry.vm)/\(entry.user)"
            switch decision {
            case .enforced(let login):
                enforced += 1
                logins.append("login \(who) \(login.keyFields?.type ?? "?") until \(Self.format(login.expiry))")
            case .pending(let start):
                logins.append("pending \(who) from \(Self.format(start))")
            case .inactive(let reason):
                logins.append("not enforced \(who): \(reason)")
            case .refused(let reason):
                errors.append(AgentError(.chainRefused, reason))
            }
        }
        let verdict = errors.isEmpty ? "ok" : "refused"
        lines.append("\(verdict): bundle of host \(bundle.host) signed by registrar \(bundle.registrar), generated \(Self.format(bundle.generatedAt)), "
                     + "\(bundle.fileCount) files verified; at \(Self.format(time)): \(bundle.associations.count) security associations, \(enforced) logins")
        lines += bundle.associations.map(Self.line)
        lines += logins
    }

    /// The report of the JSON input (every SA and login is enforced as given).
    public init(associations: [SecurityAssociation], logins: [AuthorizedLogin]) {
        lines.append("ok: \(associations.count) security associations, \(logins.count) logins")
        lines += associations.map(Self.line)
        lines += logins.map { "login \($0.vm.map { "\($0)/" } ?? "")\($0.account) \($0.keyFields?.type ?? "?") until \(Self.format($0.expiry))" }
    }

    public var text: String { lines.joined(separator: "\n") + "\n" }

    static func line(_ sa: SecurityAssociation) -> String {
        let expiry = sa.linkExpiry.map { ", expires \(format($0))" } ?? ""
        return "sa in \(ESPCodec.hex(sa.spiIn)) out \(ESPCodec.hex(sa.spiOut)) \(sa.suite.rawValue)\(sa.extendedSequenceNumbers ? " esn" : "") "
            + "\(sa.localHIT) <-> \(sa.peerHIT) via \(sa.peerLocator) \(format(sa.start)) .. \(format(sa.end))\(expiry)"
    }

    static func format(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
