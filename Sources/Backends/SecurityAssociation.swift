import Hashing
import SExpr
import SPKI

/// One ESP security association: one direction of one link in one epoch. Both hosts of the
/// link carry it (outbound on the sender's, inbound on the receiver's) with the same SPI
/// and the same key.
struct SecurityAssociation: Sendable {
    /// What names an SA, independently of its SPI and key.
    struct ID: Hashable, Sendable {
        var vpxi: String
        var from: String
        var to: String
        var epochStart: SPKIDate

        var sexp: SExpr {
            ["sa", ["vpxi", .string(vpxi)], ["from", .string(from)], ["to", .string(to)], ["epoch", .string(epochStart.description)]]
        }
    }

    var id: ID
    /// The canonical bytes of `id.sexp`: what the SPI, the key and the OAEP seed derive from.
    var idBytes: [UInt8]
    var link: Int
    var fromVM: Int
    var toVM: Int
    var suite: ESPSuite
    var epoch: BundlePlan.Epoch
    /// When the SA is used (the epoch, cut by the link's authorization).
    var start: SPKIDate
    var end: SPKIDate
    /// When it must be gone, overlap included.
    var expires: SPKIDate
    var spi: UInt32

    /// `0x` and 8 hex digits.
    static func spiText(_ spi: UInt32) -> String {
        let hex = String(spi, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}

/// The security associations of a whole plan, with SPIs unique across the plan: so unique
/// on every host, inbound and outbound, and never reused by another epoch.
struct SecurityAssociations: Sendable {
    /// All SAs, sorted by epoch start, VPXI, sender, receiver.
    let all: [SecurityAssociation]
    /// For each link: its SAs, by epoch index then direction (a→b first).
    let ofLink: [[Int]]

    /// SPIs below 256 are reserved (RFC 4303 section 2.1).
    static let firstSPI: UInt32 = 256

    init(_ resolved: ResolvedPlan) throws(BackendsError) {
        let plan = resolved.plan
        var sas: [SecurityAssociation] = []
        let from = plan.generatedAt.secondsSinceEpoch
        let until = plan.keyHorizon.map { from + max($0, 1) }
        for (linkIndex, link) in plan.links.enumerated() {
            guard let suite = link.suite else { continue }
            let a = resolved.vmIndex[link.a]!, b = resolved.vmIndex[link.b]!
            let vpxi = resolved.vpxi(of: a)
            for epoch in vpxi.epochs {
                if let until, epoch.end.secondsSinceEpoch <= from || epoch.start.secondsSinceEpoch >= until { continue }
                let start = max(epoch.start, link.notBefore ?? epoch.start)
                let end = min(epoch.end, link.notAfter ?? epoch.end)
                guard start < end else { continue }
                let expires = min(epoch.expires, link.notAfter ?? epoch.expires)
                for (from, to) in [(a, b), (b, a)] {
                    let id = SecurityAssociation.ID(vpxi: vpxi.name, from: plan.vms[from].name, to: plan.vms[to].name, epochStart: epoch.start)
                    sas.append(SecurityAssociation(id: id, idBytes: id.sexp.canonical, link: linkIndex, fromVM: from, toVM: to, suite: suite, epoch: epoch,
                                                   start: start, end: end, expires: expires, spi: 0))
                }
            }
        }
        sas.sort { ($0.id.epochStart, $0.id.vpxi, $0.id.from, $0.id.to) < ($1.id.epochStart, $1.id.vpxi, $1.id.from, $1.id.to) }
        guard UInt64(sas.count) < UInt64(UInt32.max - Self.firstSPI) / 2 else {
            throw BackendsError(.spiSpaceExhausted, "the plan needs \(sas.count) SAs, too many for 32-bit SPIs")
        }
        // Each SA's SPI is a hash of its name, so that it stays the same from one run to
        // the next; a collision moves to the next free value.
        var taken = Set<UInt32>(minimumCapacity: sas.count)
        for index in sas.indices {
            let digest = HashAlgorithm.sha256.digest(Array("spkic spi v1".utf8) + sas[index].idBytes)
            var spi = UInt32(digest[0]) << 24 | UInt32(digest[1]) << 16 | UInt32(digest[2]) << 8 | UInt32(digest[3])
            while spi < Self.firstSPI || taken.contains(spi) {
                spi = spi == UInt32.max ? Self.firstSPI : spi + 1
            }
            taken.insert(spi)
            sas[index].spi = spi
        }
        all = sas
        var ofLink = Array(repeating: [Int](), count: plan.links.count)
        for (index, sa) in sas.enumerated() { ofLink[sa.link].append(index) }
        self.ofLink = ofLink.map { list in
            list.sorted { (sas[$0].epoch.index, sas[$0].id.from) < (sas[$1].epoch.index, sas[$1].id.from) }
        }
    }
}
