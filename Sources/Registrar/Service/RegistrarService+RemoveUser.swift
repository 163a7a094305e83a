import SExpr

/// Removing a secondary user (the inverse of add-user, paper 4.2.3): the owner asks; the
/// grants added for that user leave the vpxi's policy, the current epoch is issued again
/// without them (so every host's bundle drops the user's logins, and an agent removes the
/// user's keys and ends their sessions when it applies it), the user's chains are
/// withdrawn, and no later renewal includes them. Certs already handed out stay valid
/// until their `not-after` (the paper's revocation by expiry); the nodes stop honouring
/// them as soon as they pull the new bundle.
extension RegistrarService {
    func removeUser(_ request: SignedRequest) async throws(RegistrarError) -> SExpr {
        let name = try request.required("vpxi", "the vpxi")
        let user = try request.required("user", "the secondary user to remove")
        guard PoolSnapshot.isValidName(user) else { throw RegistrarError(.malformed, "`\(user)` is not a user name") }
        let now = self.now
        defer { etags.forget(vpxi: name) }
        return try await storage {
            try await database.transaction { tx -> SExpr in
                let (requester, old) = try await self.ownersPolicy(vpxi: name, request: request, action: "remove a user from it", in: tx)
                guard user != requester.name else {
                    throw RegistrarError(.forbidden, "the owner's own rights cannot be removed", help: "release the vpxi to end them")
                }
                let policy = Self.policy(old, removingGrantsOf: user, via: requester.name)
                guard policy != old else {
                    let granted = old.contains("grant \(user) ")
                    throw RegistrarError(.notFound, granted
                        ? "user `\(user)`'s rights in vpxi `\(name)` were granted when it was created, not added with add-user"
                        : "user `\(user)` has no rights in vpxi `\(name)` added by `\(requester.name)`",
                        help: granted ? "only rights added with add-user can be removed; release the vpxi and create it again without them" : nil)
                }
                let slots = try await self.assignedSlots(vpxi: name, in: tx)
                let compiled = try self.compiler.compile(policy: policy) { (host, machine) throws(RegistrarError) in
                    guard let slot = slots[machine], slot.host == host else { throw RegistrarError(.internal, "machine `\(machine)` moved to `\(host)`") }
                    return slot
                }
                let vpxi = compiled.model.vpxis[compiled.vpxi]
                guard let epoch = vpxi.schedule.epoch(at: now) else { throw RegistrarError(.policyError, "the window of `\(name)` has ended") }
                let issue = try EpochIssue.issue(compiled, epoch: epoch, at: now, bundleSource: self.bundleSource,
                                                 recorded: try await self.signedCerts(vpxi: name, epoch: Int64(epoch.index), in: tx),
                                                 delegations: try await self.delegations(vpxi: name, in: tx))
                try await tx.query("UPDATE vpxis SET policy = $2, epoch = $3 WHERE name = $1", [.text(name), .text(policy), .int(Int64(epoch.index))])
                try await self.store(issue, requester: requester.name, in: tx, now: now)
                try await tx.query("DELETE FROM chains WHERE vpxi = $1 AND principal = $2", [.text(name), .text(user)])
                return ["removed", ["vpxi", .string(name)], ["user", .string(user)], ["epoch", .string(String(epoch.index))]]
            }
        }
    }

    /// `policy` without the lines add-user appended for `user` (`  grant USER via OWNER ...`).
    static func policy(_ policy: String, removingGrantsOf user: String, via owner: String) -> String {
        let prefix = "grant \(user) via \(owner) "
        var kept = ""
        for line in policy.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.drop(while: { $0 == " " }).hasPrefix(prefix) { continue }
            kept += line
            kept += "\n"
        }
        return String(kept.dropLast())
    }
}
