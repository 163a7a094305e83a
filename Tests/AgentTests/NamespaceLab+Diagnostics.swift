import Agent
import Foundation
import XCTest

extension NamespaceLab {
    /// Where packets went missing: each agent's per-SA counters and drops, each
    /// namespace's UDP/IP drop counters and its TUN and veth device statistics.
    func lossDiagnostics() -> String {
        var lines: [String] = []
        for host in [a, b] {
            if let status = try? status(host, after: Date()) {
                for sa in status.associations {
                    let c = sa.counters
                    lines.append("\(host.name) SA in \(sa.spiIn) out \(sa.spiOut): in \(c.packetsIn) out \(c.packetsOut) "
                                 + "replay \(c.replaysDropped) auth \(c.authenticationFailures) malformed \(c.malformedDropped)")
                }
                let t = status.totals
                lines.append("\(host.name) totals: in \(t.packetsIn) out \(t.packetsOut) no-SA \(t.noAssociationDropped) "
                             + "replay \(t.replaysDropped) auth \(t.authenticationFailures) malformed \(t.malformedDropped)")
            }
            let counters = (try? exec(host, ["nstat", "-a", "-z", "UdpRcvbufErrors", "UdpSndbufErrors", "UdpInErrors",
                                             "Udp6RcvbufErrors", "Udp6InErrors", "Udp6SndbufErrors", "Ip6InDiscards", "Ip6OutDiscards",
                                             "IpInDiscards", "IpOutDiscards"]))?.stdoutText ?? ""
            lines.append("\(host.name) nstat: " + counters.split(separator: "\n").filter { !$0.hasPrefix("#") }
                .map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(2).joined(separator: "=") }.joined(separator: " "))
            for device in [Self.tun, host.veth] {
                let link = (try? exec(host, ["ip", "-s", "link", "show", "dev", device]))?.stdoutText ?? ""
                lines.append("\(host.name) \(device): " + link.split(separator: "\n").dropFirst(2).joined(separator: " | "))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The lines of `host`'s agent log that record dropped packets.
    func dropLog(_ host: Host) -> String {
        agentLog(host).split(separator: "\n").filter { $0.contains("dropped") || $0.contains("no SA") || $0.contains("failed") }
            .prefix(20).joined(separator: "\n")
    }
}
