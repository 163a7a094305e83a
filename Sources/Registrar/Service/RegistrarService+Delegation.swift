import Hashing
import PolicyCompiler
import SExpr
import SPKI

/// Adding a secondary user (paper 4.2.3): the owner asks; the registrar refuses a user
/// who is not registered or whose clearance is below the vpxi's confidentiality; on
/// acceptance it re-issues the owner's certs with propagate and returns them, with the
/// `<owner, user, A, no-propagate, V>` certs the owner signs (`spki cert`).
extension RegistrarService {
    /// Every user granted rights in the vpxi must be cleared for its confidentiality.
    static func checkClearances(_ compiled: VPXICompiler.Compiled) throws(RegistrarError) {
        let vpxi = compiled.model.vpxis[compiled.vpxi]
        guard let level = vpxi.confidentiality else { return }
        for grant in vpxi.grants {
            let user = compiled.model.users[grant.user]
            guard let clearance = user.clearance, clearance >= level else {
                throw RegistrarError(.forbidden, "user `\(user.name)` is cleared for \(user.clearance?.rawValue ?? "nothing"), below the confidentiality `\(level.rawValue)` of vpxi `\(vpxi.name)`",
                                     help: "grant rights only to users cleared for `\(level.rawValue)` or above")
            }
        }
    }

    func addUser(_ request: SignedRequest) async throws(RegistrarError) -> SExpr {
        let name = try request.required("vpxi", "the vpxi")
        let user = try request.required("user", "the secondary user's registered name")
        let rights = try request.required("rights", "the rights delegated, as in a grant: `ssh, file(read, \"/data\")`")
        let targets = request.argument("on") ?? "all"
        let during = request.argument("during")
        for (field, text) in [("rights", rights), ("on", targets), ("during", during ?? "")] where text.contains("}") || text.contains("\n") {
            throw RegistrarError(.malformed, "`\(field)` may not contain `}` or line breaks")
        }
        guard PoolSnapshot.isValidName(user) else { throw RegistrarError(.malformed, "`\(user)` is not a user name") }
        let now = self.now
        defer { etags.forget(vpxi: name) }
        return try await storage {
            try await database.transaction { tx -> SExpr in
                let (requester, old) = try await self.ownersPolicy(vpxi: name, request: request, action: "add a user to it", in: tx)
                guard !(try await tx.query("SELECT name FROM users WHERE name = $1", [.text(user)])).isEmpty else {
                    throw RegistrarError(.notFound, "user `\(user)` is not registered", help: "the operator registers users (`vpxi-registrar user add`)")
                }
                guard let close = old.lastIndex(of: "}") else { throw RegistrarError(.internal, "the stored policy of `\(name)` has no vpxi block") }
                let grant = "  grant \(user) via \(requester.name) \(rights) on \(targets)" + (during.map { " during \($0)" } ?? "") + "\n"
                let policy = String(old[..<close]) + grant + String(old[close...])
                let slots = try await self.assignedSlots(vpxi: name, in: tx)
                let compiled = try self.compiler.compile(policy: policy) { (host, machine) throws(RegistrarError) in
                    guard let slot = slots[machine], slot.host == host else { throw RegistrarError(.internal, "machine `\(machine)` moved to `\(host)`") }
                    return slot
                }
                try Self.checkClearances(compiled)
                let vpxi = compiled.model.vpxis[compiled.vpxi]
                guard let epoch = vpxi.schedule.epoch(at: now) else { throw RegistrarError(.policyError, "the window of `\(name)` has ended") }
                let delegations = try await self.delegations(vpxi: name, in: tx)
                // Another registrar's `<R2, R1>` certs of the epoch already signed stay signed.
                let issue = try EpochIssue.issue(compiled, epoch: epoch, at: now, bundleSource: self.bundleSource,
                                                 recorded: try await self.signedCerts(vpxi: name, epoch: Int64(epoch.index), in: tx), delegations: delegations)
                try await tx.query("UPDATE vpxis SET policy = $2, epoch = $3 WHERE name = $1", [.text(name), .text(policy), .int(Int64(epoch.index))])
                try await self.store(issue, requester: requester.name, in: tx, now: now)
                try await self.shareSecret(compiled, in: tx)
                var answer = try await self.answer(vpxi: name, user: requester.name, in: tx)
                // What the owner signs: the added user's `<owner, user>` certs, each for the
                // whole window of its grant (one signature serves every epoch: `delegate`),
                // but those the owner already signed as they are.
                let signed = Set(delegations.map(\.hash))
                let toSign = CertPlanner(ir: compiled.ir).plan(vpxi: compiled.vpxi, epoch: epoch).certs.compactMap { planned -> SExpr? in
                    guard planned.flow == .userToUser, planned.issuer.name.description == requester.name, planned.subject.name.description == user else { return nil }
                    let cert = Self.wholeWindow(planned.cert, compiled: compiled)
                    guard !signed.contains(Hex.encode(HashAlgorithm.sha256.digest(cert.signedBytes))) else { return nil }
                    return ["cert-request", ["machine", .string(vpxi.machines[planned.machine].name)], cert.sexp]
                }
                if case .list(var items) = answer {
                    items.append(.list(["to-sign"] + toSign))
                    answer = .list(items)
                }
                return answer
            }
        }
    }

    /// The requester and the stored policy of active vpxi `name`, which this registrar
    /// builds and the requester owns: what add-user and remove-user change.
    func ownersPolicy(vpxi name: String, request: SignedRequest, action: String,
                      in tx: any DBTransaction) async throws -> (requester: (name: String, operator: Bool), policy: String) {
        let requester = try await self.requester(request, in: tx)
        let rows = try await tx.query("SELECT owner, status, registrar, policy FROM vpxis WHERE name = $1", [.text(name)])
        guard let row = rows.first, try row.text("status") == "active" else { throw RegistrarError(.notFound, "no active vpxi `\(name)`") }
        guard try row.text("owner") == requester.name else {
            throw RegistrarError(.forbidden, "only the owner of vpxi `\(name)` may \(action)")
        }
        guard try row.text("registrar") == self.configuration.name else {
            throw RegistrarError(.forbidden, "vpxi `\(name)` is built by registrar `\(row["registrar"].text ?? "?")`", help: "send the request to it")
        }
        return (requester, try row.text("policy"))
    }

    /// The epoch's `<owner, user, A, V>` cert with the validity of the whole window of
    /// the user's grant it serves: what the owner signs once for every epoch (`delegate`).
    static func wholeWindow(_ planned: Cert, compiled: VPXICompiler.Compiled) -> Cert {
        var cert = planned
        guard let subject = cert.subject.principal else { return cert }
        let vpxi = compiled.model.vpxis[compiled.vpxi]
        let windows = vpxi.grants.filter { grant in
            grant.via.map { compiled.model.users[$0].key.principal.id == cert.issuer.principal.id } ?? false
                && compiled.model.users[grant.user].key.principal.id == subject.id
        }.map(\.window)
        guard let window = windows.first(where: { $0.validity.includes(cert.validity) }) else { return cert }
        cert.source = nil
        cert.validity = window.validity
        return cert
    }

    /// The slot of every machine of a vpxi, by machine name.
    func assignedSlots(vpxi: String, in tx: any DBTransaction) async throws -> [String: VPXICompiler.Slot] {
        var slots: [String: VPXICompiler.Slot] = [:]
        for row in try await tx.query("SELECT host, idx, key, resource_cert, machine, (SELECT h.key FROM hosts h WHERE h.name = slots.host) AS host_key FROM slots WHERE vpxi = $1", [.text(vpxi)]) {
            slots[try row.text("machine")] = try Self.slot(row, host: try row.text("host"))
        }
        return slots
    }
}
