import PolicyCompiler

/// The compiled vpxi a renewal issues from: compiled once, then kept (`RenewalCache`)
/// while its stored policy and slots stay the same, so that an epoch's renewal plans,
/// signs and builds without analysing and placing the policy again.
extension RegistrarService {
    /// The rows of a vpxi's assigned slots, as stored (what its fingerprint covers).
    func slotRows(vpxi: String) async throws -> [DBRow] {
        try await database.read("""
            SELECT host, idx, key, resource_cert, machine, (SELECT h.key FROM hosts h WHERE h.name = slots.host) AS host_key
            FROM slots WHERE vpxi = $1 ORDER BY machine
            """, [.text(vpxi)])
    }

    /// The compiled vpxi `name` of `policy` with the slots `slotRows`: from the cache when
    /// both are what it was compiled from, else compiled now (each slot parsed once per
    /// stored content) and remembered.
    func compiledForRenewal(vpxi name: String, policy: String, slotRows: [DBRow]) throws(RegistrarError) -> VPXICompiler.Compiled {
        if let compiled = renewalCache.compiled(vpxi: name, policy: policy, slots: slotRows) { return compiled }
        let stored = RenewalCache.StoredState(policy: policy, slots: slotRows)
        var slots: [String: VPXICompiler.Slot] = [:]
        for row in slotRows {
            do {
                let host = try row.text("host")
                slots[try row.text("machine")] = try renewalCache.slot(row, host: host) { row, host in try Self.slot(row, host: host) }
            } catch let error as RegistrarError {
                throw error
            } catch {
                throw RegistrarError.storage("a slot of vpxi `\(name)` cannot be read: \(error)")
            }
        }
        var compiled = try compiler.compile(policy: policy) { (host, machine) throws(RegistrarError) in
            guard let slot = slots[machine], slot.host == host else { throw RegistrarError(.internal, "machine `\(machine)` moved to `\(host)`") }
            return slot
        }
        compiled.fingerprint = RenewalCache.fingerprint(policy: policy, slots: slotRows)
        compiled.derived = DerivedValues()
        renewalCache.remember(vpxi: name, stored: stored, compiled: compiled)
        return compiled
    }
}
