import RSA
import SExpr

/// `esp.sexp`: the ESP key schedule of one host. For each link end on the host and each
/// epoch: the inbound and outbound SPIs, the suite, 64-bit sequence numbers, the epoch's
/// times, and the keys of both SAs wrapped together to the host's key with RSA-OAEP
/// (SHA-256, MGF1-SHA-256, empty label). No key is ever written in clear.
enum ESPScheduleFile {
    static let version = 1
    /// Sequence numbers are 64-bit (extended sequence numbers, RFC 4303 section 2.2.1).
    static let sequenceNumberBits = 64
    static let replayWindow = 64

    static func make(host: Int, ends: [LinkEnd], resolved: ResolvedPlan, sas: SecurityAssociations,
                     secrets: BundleSecrets) throws(BackendsError) -> SExpr {
        let plan = resolved.plan
        let hostValue = plan.hosts[host]
        var items: [SExpr] = [
            "esp-schedule",
            ["version", .string(String(version))],
            ["host", .string(hostValue.name)],
            ["sequence-number-bits", .string(String(sequenceNumberBits))],
            ["replay-window", .string(String(replayWindow))],
            ["key-wrap", "rsa-oaep", ["hash", "sha256"], ["mgf1", "sha256"], ["label", .string("")]],
        ]
        for end in ends {
            let link = plan.links[end.link]
            let local = plan.vms[end.localVM], peer = plan.vms[end.peerVM]
            let suite = link.suite!
            var entry: [SExpr] = [
                "link-end",
                ["vm", .string(local.name)],
                ["peer", .string(peer.name)],
                ["vpxi", .string(local.vpxi)],
                ["peer-host", .string(peer.host)],
                ["suite", .string(suite.rawValue)],
            ]
            if let id = suite.hipSuiteID { entry.append(["hip-esp-transform", .string(String(id))]) }
            entry.append(["local-hit", .string(resolved.hits[end.localVM].description)])
            entry.append(["peer-hit", .string(resolved.hits[end.peerVM].description)])
            entry.append(["local-locator", .string(end.localLocator.description)])
            entry.append(["peer-locator", .string(end.peerLocator.description)])
            entry.append(["reqid", .string(String(end.reqid))])
            if let bandwidth = link.bandwidthBitsPerSecond { entry.append(["bandwidth-bps", .string(String(bandwidth))]) }
            if let latency = link.latencyMicroseconds { entry.append(["latency-us", .string(String(latency))]) }
            for (inbound, outbound) in end.epochs {
                let sa = sas.all[inbound]
                entry.append([
                    "epoch",
                    ["index", .string(String(sa.epoch.index))],
                    ["start", .string(sa.start.description)],
                    ["end", .string(sa.end.description)],
                    ["expires", .string(sa.expires.description)],
                    ["inbound", ["spi", .string(SecurityAssociation.spiText(sa.spi))]],
                    ["outbound", ["spi", .string(SecurityAssociation.spiText(sas.all[outbound].spi))]],
                    try keys(sas.all[inbound], sas.all[outbound], host: hostValue, secrets: secrets),
                ])
            }
            items.append(.list(entry))
        }
        return .list(items)
    }

    /// `(keys |W|)`: W is the RSA-OAEP encryption, to the host's key, of the inbound SA's
    /// KEYMAT followed by the outbound SA's (one RSA operation per link end and epoch).
    static func keys(_ inbound: SecurityAssociation, _ outbound: SecurityAssociation, host: BundlePlan.Host,
                     secrets: BundleSecrets) throws(BackendsError) -> SExpr {
        var keymat = secrets.keyMaterial(for: inbound.idBytes, length: inbound.suite.keyMaterialLength)
            + secrets.keyMaterial(for: outbound.idBytes, length: outbound.suite.keyMaterialLength)
        defer { for index in keymat.indices { keymat[index] = 0 } }
        var generator = secrets.wrappingGenerator(inbound: inbound.idBytes, outbound: outbound.idBytes, host: host.name)
        do {
            return ["keys", .bytes(try host.publicKey.encryptOAEP(keymat, label: [], using: &generator))]
        } catch {
            throw BackendsError(.cryptoFailure, "wrapping ESP keys to the key of host `\(host.name)` failed: \(error.message)")
        }
    }
}
