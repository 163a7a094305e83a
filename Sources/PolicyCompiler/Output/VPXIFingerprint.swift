import Hashing
import SExpr

/// A hash of everything that determines one vpxi's part of an output: its certs, chains,
/// ACLs and manifest records. Recorded in the manifest; a re-run whose fingerprint for a
/// vpxi equals the previous output's carries that vpxi's files and records over as they
/// are, without planning, signing or rendering them again.
///
/// It covers the vpxi's name, window, lifetime, renewal and the epoch in force at the
/// compilation time; its registrar (name, key, whether its private key is at hand); each
/// machine (name, key, whether its private key is at hand, and the registrar of the host
/// it is placed on); each grant in order (user, `via` user, rights, targets, window), with
/// the keys of the users it names; the output format; and the version of this scheme (to
/// be raised whenever the planner or the writer changes what they produce). Source
/// positions are not part of it: moving a declaration does not change a vpxi.
public enum VPXIFingerprint {
    /// Raised when the meaning of a vpxi's inputs for its output changes.
    static let scheme = "spkic-vpxi-fingerprint 1"

    /// The fingerprint (lowercase hex SHA-256) of every vpxi of `ir`, at `time`, for
    /// `format`.
    public static func compute(_ ir: InfrastructureIR, at time: Int64, format: SExprText) -> [String] {
        let vpxis = ir.model.vpxis
        return Parallel.map(vpxis.count, chunk: 1) { range in
            range.map { v in fingerprint(ir, vpxi: v, at: time, format: format) }
        }.flatMap { $0 }
    }

    static func fingerprint(_ ir: InfrastructureIR, vpxi v: Int, at time: Int64, format: SExprText) -> String {
        let model = ir.model
        let vpxi = model.vpxis[v]
        var out = Writer()
        out.put(scheme)
        out.put(format.rawValue)
        out.put(vpxi.name)
        out.put(vpxi.window.start)
        out.put(vpxi.window.end)
        out.put(vpxi.lifetime)
        out.put(vpxi.renewal)
        if vpxi.window.end < time {
            out.put("window-ended")
        } else if let epoch = vpxi.schedule.epoch(at: time) {
            out.put("epoch")
            out.put(Int64(epoch.index))
        } else {
            out.put("no-epoch")
        }
        func key(_ info: PublicKeyInfo) {
            out.put(info.id.bytes)
            out.put(ir.keys.signers[info.id] != nil ? "signs" : "pending")
        }
        func registrar(_ r: Int) {
            out.put(model.registrars[r].name)
            key(model.registrars[r].key)
        }
        func user(_ u: Int) {
            out.put(model.users[u].name)
            key(model.users[u].key)
        }
        registrar(vpxi.registrar)
        out.put(Int64(vpxi.machines.count))
        for (m, machine) in vpxi.machines.enumerated() {
            out.put(machine.name)
            key(ir.keys.machines[v][m])
            let host = ir.placement.hosts[v][m]
            let h2 = host == Placement.unplaced ? vpxi.registrar : (model.hosts[host].registration?.registrar ?? vpxi.registrar)
            registrar(h2)
        }
        out.put(Int64(vpxi.grants.count))
        for grant in vpxi.grants {
            user(grant.user)
            if let via = grant.via {
                out.put("via")
                user(via)
            } else {
                out.put("direct")
            }
            out.put(Int64(grant.rights.count))
            for right in grant.rights {
                out.put(right.name)
                if let arguments = right.arguments {
                    out.put(Int64(arguments.count))
                    for argument in arguments {
                        switch argument {
                        case .name(let word): out.put("name"); out.put(word)
                        case .text(let text): out.put("text"); out.put(text)
                        }
                    }
                } else {
                    out.put("bare")
                }
            }
            out.put(Int64(grant.targets.count))
            for target in grant.targets { out.put(Int64(target)) }
            out.put(grant.window.start)
            out.put(grant.window.end)
        }
        return Hex.encode(HashAlgorithm.sha256.digest(out.bytes))
    }

    /// Length-prefixed fields, so that no two inputs give the same bytes.
    struct Writer {
        var bytes: [UInt8] = []

        mutating func put(_ field: [UInt8]) {
            bytes += Array(String(field.count).utf8)
            bytes.append(UInt8(ascii: ":"))
            bytes += field
        }

        mutating func put(_ text: String) { put(Array(text.utf8)) }
        mutating func put(_ number: Int64) { put(String(number)) }
    }
}
