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

    /// The file's bytes (advanced form, 100 columns, final newline), built straight into a
    /// flat document: a plan with links has hundreds of thousands of epochs, and making
    /// `SExpr` values first cost most of the bundles' build time. `BackendsTests` checks the
    /// bytes against the value-based rendering.
    static func text(host: Int, ends: [LinkEnd], resolved: ResolvedPlan, sas: SecurityAssociations,
                     secrets: BundleSecrets) throws(BackendsError) -> [UInt8] {
        let plan = resolved.plan
        let hostValue = plan.hosts[host]
        var out = SExprDocument.Builder(capacity: 64 + ends.count * (40 + 30 * 4))
        out.open("esp-schedule")
        out.field("version", String(version))
        out.field("host", hostValue.name)
        out.field("sequence-number-bits", String(sequenceNumberBits))
        out.field("replay-window", String(replayWindow))
        out.open("key-wrap")
        out.atom("rsa-oaep")
        out.field("hash", "sha256")
        out.field("mgf1", "sha256")
        out.field("label", "")
        out.close()
        for end in ends {
            let link = plan.links[end.link]
            let local = plan.vms[end.localVM], peer = plan.vms[end.peerVM]
            let suite = link.suite!
            out.open("link-end")
            out.field("vm", local.name)
            out.field("peer", peer.name)
            out.field("vpxi", local.vpxi)
            out.field("peer-host", peer.host)
            out.field("suite", suite.rawValue)
            if let id = suite.hipSuiteID { out.field("hip-esp-transform", String(id)) }
            out.field("local-hit", resolved.hits[end.localVM].description)
            out.field("peer-hit", resolved.hits[end.peerVM].description)
            out.field("local-locator", end.localLocator.description)
            out.field("peer-locator", end.peerLocator.description)
            out.field("reqid", String(end.reqid))
            if let bandwidth = link.bandwidthBitsPerSecond { out.field("bandwidth-bps", String(bandwidth)) }
            if let latency = link.latencyMicroseconds { out.field("latency-us", String(latency)) }
            for (inbound, outbound) in end.epochs {
                let sa = sas.all[inbound]
                out.open("epoch")
                out.field("index", String(sa.epoch.index))
                out.field("start", sa.start.description)
                out.field("end", sa.end.description)
                out.field("expires", sa.expires.description)
                out.open("inbound")
                out.field("spi", SecurityAssociation.spiText(sa.spi))
                out.close()
                out.open("outbound")
                out.field("spi", SecurityAssociation.spiText(sas.all[outbound].spi))
                out.close()
                out.open("keys")
                out.atom(bytes: try wrappedKeys(sa, sas.all[outbound], host: hostValue, secrets: secrets))
                out.close()
                out.close()
            }
            out.close()
        }
        out.close()
        return AdvancedPrinter(width: BundleBuilder.width).print(out.build())
    }

    /// W of `(keys |W|)`: the RSA-OAEP encryption, to the host's key, of the inbound SA's
    /// KEYMAT followed by the outbound SA's (one RSA operation per link end and epoch).
    static func wrappedKeys(_ inbound: SecurityAssociation, _ outbound: SecurityAssociation, host: BundlePlan.Host,
                            secrets: BundleSecrets) throws(BackendsError) -> [UInt8] {
        var keymat = secrets.keyMaterial(for: inbound.idBytes, length: inbound.suite.keyMaterialLength)
            + secrets.keyMaterial(for: outbound.idBytes, length: outbound.suite.keyMaterialLength)
        defer { for index in keymat.indices { keymat[index] = 0 } }
        var generator = secrets.wrappingGenerator(inbound: inbound.idBytes, outbound: outbound.idBytes, host: host.name)
        do {
            return try host.publicKey.encryptOAEP(keymat, label: [], using: &generator)
        } catch {
            throw BackendsError(.cryptoFailure, "wrapping ESP keys to the key of host `\(host.name)` failed: \(error.message)")
        }
    }
}
