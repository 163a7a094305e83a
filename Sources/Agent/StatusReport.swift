import Foundation

/// What `vpxi-agent status` shows: written by the running agent to `STATE/status.json`
/// (atomically, every second), without any key material.
public struct StatusReport: Sendable, Codable, Equatable {
    public struct Association: Sendable, Codable, Equatable {
        public var spiIn: String
        public var spiOut: String
        public var suite: ESPSuite
        public var localHIT: HIT
        public var peerHIT: HIT
        public var peer: String
        public var start: Date
        public var end: Date
        public var linkExpiry: Date?
        public var esn: Bool
        public var counters: Counters

        enum CodingKeys: String, CodingKey {
            case spiIn = "spi_in", spiOut = "spi_out", suite, localHIT = "local_hit", peerHIT = "peer_hit", peer
            case start, end, linkExpiry = "link_expiry", esn, counters
        }
    }

    public struct Login: Sendable, Codable, Equatable {
        public var vm: String?
        public var account: String
        public var keyType: String
        public var keyComment: String
        public var expiry: Date

        enum CodingKeys: String, CodingKey { case vm, account, keyType = "key_type", keyComment = "key_comment", expiry }
    }

    public var updated: Date
    public var input: String
    public var lastApplied: Date?
    public var lastError: String?
    public var associations: [Association]
    public var logins: [Login]
    public var totals: Counters

    enum CodingKeys: String, CodingKey {
        case updated, input, lastApplied = "last_applied", lastError = "last_error", associations, logins, totals
    }

    public init(updated: Date, input: String, lastApplied: Date?, lastError: String?, table: AssociationTable,
                logins: [AuthorizedLogin]) {
        self.updated = updated
        self.input = input
        self.lastApplied = lastApplied
        self.lastError = lastError
        associations = table.entries().map { entry in
            let sa = entry.association
            return Association(spiIn: ESPCodec.hex(sa.spiIn), spiOut: ESPCodec.hex(sa.spiOut), suite: sa.suite,
                               localHIT: sa.localHIT, peerHIT: sa.peerHIT, peer: sa.peerLocator.description,
                               start: sa.start, end: sa.end, linkExpiry: sa.linkExpiry,
                               esn: sa.extendedSequenceNumbers, counters: entry.counters)
        }
        self.logins = logins.map { login in
            let fields = login.publicKey.split(separator: " ")
            return Login(vm: login.vm, account: login.account, keyType: fields.first.map(String.init) ?? "",
                         keyComment: fields.count > 2 ? fields[2...].joined(separator: " ") : "", expiry: login.expiry)
        }.sorted { ($0.vm ?? "", $0.account, $0.expiry) < ($1.vm ?? "", $1.account, $1.expiry) }
        totals = table.totals()
    }

    /// The human form of `vpxi-agent status`.
    public var text: String {
        let time = ISO8601DateFormatter()
        var lines = ["source: \(input)",
                     "updated: \(time.string(from: updated))",
                     "last applied: \(lastApplied.map(time.string(from:)) ?? "never")"]
        if let lastError { lines.append("last refused: \(lastError)") }
        lines.append("security associations: \(associations.count)")
        for sa in associations {
            let expiry = sa.linkExpiry.map { " link-expiry \(time.string(from: $0))" } ?? ""
            lines.append("  in \(sa.spiIn) out \(sa.spiOut) \(sa.suite.rawValue)\(sa.esn ? " esn" : "") \(sa.localHIT) <-> \(sa.peerHIT) via \(sa.peer)")
            lines.append("    epoch \(time.string(from: sa.start)) .. \(time.string(from: sa.end))\(expiry)")
            lines.append("    " + Self.counterText(sa.counters))
        }
        let peers = Set(associations.map { "\($0.peerHIT) via \($0.peer)" }).sorted()
        lines.append("peers: \(peers.count)")
        lines.append(contentsOf: peers.map { "  \($0)" })
        lines.append("authorized users: \(logins.count)")
        for login in logins {
            lines.append("  \(login.vm.map { "\($0)/" } ?? "")\(login.account) \(login.keyType) \(login.keyComment) until \(time.string(from: login.expiry))")
        }
        lines.append("totals: " + Self.counterText(totals))
        return lines.joined(separator: "\n") + "\n"
    }

    static func counterText(_ c: Counters) -> String {
        "packets in \(c.packetsIn) out \(c.packetsOut), bytes in \(c.bytesIn) out \(c.bytesOut), "
            + "replays dropped \(c.replaysDropped), auth failures \(c.authenticationFailures), "
            + "no-SA dropped \(c.noAssociationDropped), malformed \(c.malformedDropped)"
    }
}
