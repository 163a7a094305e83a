import ToolSupport
import SExpr
import SPKI

/// The manifest of an output: every cert with its hash, flow, issuer, subject, tag,
/// validity, status and chains; every chain with its certs; every ACL. An S-expression,
/// one record per line, so that it is both readable and easy to process:
///
/// ```
/// (spkic-manifest
///  (version "2")
///  (policy "bronze-standard.vp")
///  (at "2026-12-01_08:00:00")
///  (vpxi "bronze-standard" (registrar "lyon") (window ...) (epoch "0" "42") (valid ...) (lifetime "36h") (renew-every "12h")
///        (fingerprint "5d1e...") (records (certs "102") (pending "0") (chains "67") (complete-chains "67") (acls "35"))
///        (pool (certs "a3f0...") (chains "77c1...") (acl "0b9e...")))
///  (summary (certs "102") (signed "102") (pending "0") (chains "67") (acls "35"))
///  (cert "9f2c..." (flow resource-registrar) (vpxi "bronze-standard") (resource "worker[3]") (issuer "bronze-standard/worker[3]") (subject "lyon") (propagate) (tag ...) (valid ...) (status signed) (file "certs/bronze-standard") (chains "alice/bronze-standard/worker[3]" ...))
///  (chain "alice/bronze-standard/worker[3]" (user "alice") (vpxi "bronze-standard") (resource "worker[3]") (status complete) (certs "9f2c..." "41d0...") (file "chains/alice/bronze-standard") (offset "0") (length "7421"))
///  (acl "bronze-standard/worker[3]" (resource (hash sha256 |...|)) (file "acl/bronze-standard") (offset "1330") (length "442")))
/// ```
public enum Manifest {
    public static let version = "3"

    /// A cert's status in the manifest.
    public enum CertStatus: String, Sendable {
        case signed, pending
    }

    /// A chain's status: complete, or waiting for pending certs (then not written).
    public enum ChainStatus: String, Sendable {
        case complete, pending
    }

    static func string(_ text: String) -> SExpr { .string(text) }

    static func header(policy: String, at: Int64) -> [SExpr] {
        [["version", string(version)], ["policy", string(policy)], ["at", string(SPKIDate(secondsSinceEpoch: at).description)]]
    }

    /// How many records of each kind a vpxi has in the manifest (they follow each other
    /// vpxi by vpxi in each kind), and the pool entries of its files: what a re-run needs
    /// to carry the vpxi over without reading its records.
    struct VPXIPart: Sendable {
        var certs = 0, pending = 0, chains = 0, completeChains = 0, acls = 0
        var certPool: String?, chainPool: String?, aclPool: String?
    }

    static func vpxiRecord(_ vpxi: PolicyModel.VPXI, registrar: String, epoch: RenewalSchedule.Epoch?,
                           fingerprint: String, part: VPXIPart) -> SExpr {
        var items: [SExpr] = ["vpxi", string(vpxi.name), ["registrar", string(registrar)]]
        items.append(.list(["window"] + vpxi.window.validity.sexp!.tail))
        if let epoch {
            items.append(["epoch", string(String(epoch.index)), string(String(vpxi.schedule.count))])
            items.append(epoch.validity.validity.sexp!)
        } else {
            items.append(["window-ended"])
        }
        items.append(["lifetime", string(DurationText.format(vpxi.lifetime))])
        items.append(["renew-every", string(DurationText.format(vpxi.renewal))])
        items.append(["fingerprint", string(fingerprint)])
        items.append(["records", ["certs", string(String(part.certs))], ["pending", string(String(part.pending))],
                      ["chains", string(String(part.chains))], ["complete-chains", string(String(part.completeChains))],
                      ["acls", string(String(part.acls))]])
        var pool: [SExpr] = ["pool"]
        if let name = part.certPool { pool.append(["certs", string(name)]) }
        if let name = part.chainPool { pool.append(["chains", string(name)]) }
        if let name = part.aclPool { pool.append(["acl", string(name)]) }
        items.append(.list(pool))
        return .list(items)
    }

    /// A cert's record, written straight to bytes (the same as its value's one-line form).
    static func certRecord(_ planned: CertPlan.PlannedCert, model: PolicyModel, status: CertStatus, chains: [String]) -> [UInt8] {
        let vpxi = model.vpxis[planned.vpxi]
        var out = FlatRecord(capacity: 512 + chains.count * 48)
        out.open("cert")
        out.string(planned.hex)
        out.field("flow", planned.flow.rawValue)
        out.field("vpxi", vpxi.name)
        out.field("resource", vpxi.machines[planned.machine].name)
        out.field("issuer", planned.issuer.name.description)
        out.field("subject", planned.subject.name.description)
        if planned.cert.propagate {
            out.open("propagate")
            out.close()
        }
        // The tag and the validity copied from the cert's canonical bytes (the same as
        // their values' form, without building them again).
        // (`fields` checks every atom of the object, so writing them cannot fail halfway.)
        let copied = planned.canonical.withUnsafeBufferPointer { bytes -> Bool in
            guard let fields = Self.fields(["tag", "valid"], of: bytes), (fields[0] != nil) == (planned.cert.tag != nil),
                  (fields[1] != nil) == !planned.cert.validity.isUnbounded else { return false }
            for range in fields.compactMap({ $0 }) where !out.canonical(bytes, range) { return false }
            return true
        }
        if !copied {
            if let tag = planned.cert.tag { out.value(tag.field) }
            if let valid = planned.cert.validity.sexp { out.value(valid) }
        }
        out.field("status", status.rawValue)
        out.field("file", status == .signed ? OutputLayout.certs(vpxi: vpxi.name) : OutputLayout.pending(planned.hex))
        if !chains.isEmpty {
            out.open("chains")
            for chain in chains { out.string(chain) }
            out.close()
        }
        out.close()
        return out.bytes
    }

    /// Where the lists headed by `heads` sit among the fields of the canonical object
    /// `bytes` (the first of each; nil when it has none); nil when the bytes are not an
    /// object of lists.
    static func fields(_ heads: [String], of bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>?]? {
        guard bytes.count > 2, bytes[0] == 0x28, let head = CanonicalBytes.atom(bytes, at: 1) else { return nil }
        let wanted = heads.map { Array($0.utf8) }
        var found = [Range<Int>?](repeating: nil, count: heads.count)
        var position = head.end
        while position < bytes.count, bytes[position] == 0x28 {
            guard let end = CanonicalBytes.end(bytes, at: position) else { return nil }
            if let name = CanonicalBytes.atom(bytes, at: position + 1), name.hint == nil,
               let index = wanted.firstIndex(where: { $0.elementsEqual(bytes[name.bytes]) }), found[index] == nil {
                found[index] = position..<end
            }
            position = end
        }
        return found
    }

    /// A chain; a complete one names its file (`chains/<user>/<vpxi>`) and where its
    /// `(sequence ...)` sits in it: the byte offset and length.
    static func chainRecord(key: String, user: String, vpxi: String, machine: String, status: ChainStatus, certs: [String],
                            place: (offset: Int, length: Int)?) -> [UInt8] {
        var out = FlatRecord(capacity: 256 + certs.count * 70)
        out.open("chain")
        out.string(key)
        out.field("user", user)
        out.field("vpxi", vpxi)
        out.field("resource", machine)
        out.field("status", status.rawValue)
        out.open("certs")
        for cert in certs { out.string(cert) }
        out.close()
        if status == .complete, let place {
            out.field("file", OutputLayout.chains(user: user, vpxi: vpxi))
            out.field("offset", place.offset)
            out.field("length", place.length)
        }
        out.close()
        return out.bytes
    }

    /// A machine's ACL: the hash of the key it trusts, its file (`acl/<vpxi>`) and where
    /// it sits in it.
    static func aclRecord(vpxi: String, machine: String, key: PublicKeyInfo, place: (offset: Int, length: Int)) -> [UInt8] {
        var out = FlatRecord()
        out.open("acl")
        out.string("\(vpxi)/\(machine)")
        out.open("resource")
        out.value(key.hash)
        out.close()
        out.field("file", OutputLayout.acls(vpxi: vpxi))
        out.field("offset", place.offset)
        out.field("length", place.length)
        out.close()
        return out.bytes
    }

    /// One record as a line of the manifest (without the line break).
    static func line(_ record: SExpr) -> [UInt8] { Array(record.description.utf8) }

    /// Writes the manifest, `(spkic-manifest` then one record per line, to a new file
    /// through a buffer of 1 MiB rather than one array of the whole (about 100 MB for
    /// 100,000 certs).
    static func write(_ lines: [ArraySlice<UInt8>], to path: String) throws(FileError) {
        try FileSystem.write(to: path) { (emit: ([UInt8]) throws(FileError) -> Void) throws(FileError) in
            var buffer = Array("(spkic-manifest".utf8)
            buffer.reserveCapacity(1 << 20)
            for line in lines {
                if buffer.count + line.count + 2 > 1 << 20, !buffer.isEmpty {
                    try emit(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
                buffer.append(contentsOf: [0x0A, 0x20])
                buffer.append(contentsOf: line)
            }
            buffer.append(contentsOf: Array(")\n".utf8))
            try emit(buffer)
        }
    }
}
