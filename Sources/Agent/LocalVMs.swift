import Backends
import RSA
import SExpr
import SPKI

/// The host's own VMs, from a verified bundle's `peers.sexp`: name, VPXI, key and HIT, with
/// each HIT checked to be the ORCHID of the VM's key (so that an SA or a login can only name
/// a VM by the identity its key proves).
struct LocalVMs {
    struct VM {
        var vpxi: String
        var hit: HIT
        var key: Principal
    }

    let byName: [String: VM]

    var hits: Set<HIT> { Set(byName.values.map(\.hit)) }

    static func read(_ bytes: [UInt8]) throws(AgentError) -> LocalVMs {
        let value = try SExprFields.parse(bytes, file: "peers.sexp")
        guard value.head == "peers" else { throw SExprFields.malformed("peers.sexp", "it is not a `(peers …)`") }
        let formatText = try SExprFields(value, file: "peers.sexp").text("hit-format")
        guard let format = ORCHIDVersion(rawValue: formatText) else {
            throw SExprFields.malformed("peers.sexp", "unknown hit-format `\(formatText)`")
        }
        var vms: [String: VM] = [:]
        for local in value.tail where local.head == "local" {
            let fields = SExprFields(local, file: "peers.sexp")
            let name = try fields.text("name")
            let keyValue = try fields.list("public-key")
            guard let key = try? Principal(parsing: keyValue), let rsa = try? RSASExpr.decode(keyValue).publicKey else {
                throw SExprFields.malformed("peers.sexp", "the key of `\(name)` is not an RSA public key")
            }
            let hit = HIT(rsa: rsa, version: format)
            guard try fields.text("hit") == hit.description else {
                throw AgentError(.bundleRefused, "`peers.sexp`: the HIT of `\(name)` is not the \(format.rawValue) of its key")
            }
            vms[name] = VM(vpxi: try fields.text("vpxi"), hit: hit, key: key)
        }
        return LocalVMs(byName: vms)
    }
}
