import Hashing
import PolicyCompiler
import RSA
import SExpr
import SPKI

/// Enrollment (paper 4.1): a host posts its key, its attributes and, for each of its VM
/// slots, the certificate `<R, H, A, propagate, V>` that the VM's key signed for this
/// registrar. An unknown host needs a registration token or an operator's approval.
extension RegistrarService {
    struct HostAttributes: Sendable {
        var name: String
        var cpus: Int64
        var memory: Int64
        var disk: Int64
        var hypervisor: String?
        var site: String?
        var trustedBy: [String]
        var locators: [String]
    }

    struct EnrolledSlot: Sendable {
        var key: String
        var keyHash: String
        var cert: String
        var notAfter: Int64?
    }

    static func hostAttributes(_ request: SignedRequest) throws(RegistrarError) -> HostAttributes {
        guard let host = request.request.first("host") else {
            throw RegistrarError(.malformed, "an enrollment needs `(host (name H) (cpus N) (memory BYTES) ...)`")
        }
        func text(_ field: String) -> String? { host.first(field)?.tail.first?.text }
        func number(_ field: String, required: Bool) throws(RegistrarError) -> Int64 {
            guard let value = text(field) else {
                if required { throw RegistrarError(.malformed, "the host needs `(\(field) N)`") }
                return 0
            }
            guard let number = Int64(value), number >= 0 else {
                throw RegistrarError(.malformed, "the host's `\(field)` must be a non-negative integer, found `\(value)`")
            }
            return number
        }
        guard let name = text("name"), PoolSnapshot.isValidName(name) else {
            throw RegistrarError(.malformed, "the host needs `(name H)`: letters, digits, `-` and `_`, starting with a letter")
        }
        let hypervisor = text("hypervisor")
        if let hypervisor, Hypervisor(rawValue: hypervisor) == nil {
            throw RegistrarError(.malformed, "unknown hypervisor `\(hypervisor)`", help: "one of \(Hypervisor.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let site = text("site")
        let trustedBy = host.first("trusted-by").map { $0.tail.compactMap(\.text) } ?? []
        for word in trustedBy + (site.map { [$0] } ?? []) where !PoolSnapshot.isValidName(word) {
            throw RegistrarError(.malformed, "`\(word)` is not a valid community or site name")
        }
        let locators = host.first("locator").map { $0.tail.compactMap(\.text) } ?? []
        for locator in locators where !locator.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) || locator.isEmpty {
            throw RegistrarError(.malformed, "`\(locator)` is not an IPv4 or IPv6 address")
        }
        return HostAttributes(name: name, cpus: try number("cpus", required: true), memory: try number("memory", required: true),
                              disk: try number("disk", required: false), hypervisor: hypervisor, site: site, trustedBy: trustedBy, locators: locators)
    }

    /// Checks one `(vm (sequence CERT SIGNATURE))`: signed by the VM's key, naming this
    /// registrar as subject, with propagate, valid now.
    func enrolledSlot(_ vm: SExpr, index: Int) throws(RegistrarError) -> EnrolledSlot {
        let refuse = { (why: String) in
            RegistrarError(.badResourceCert, "VM \(index + 1): \(why)",
                           help: "each VM signs `<VM-KEY, REGISTRAR-KEY, (tag ...), propagate, (valid ...)>` with `spki cert --propagate` and sends `(vm (sequence CERT SIGNATURE))`")
        }
        guard let sequence = vm.tail.first, sequence.head == "sequence" else { throw refuse("expected `(vm (sequence CERT SIGNATURE))`") }
        let items = Array(sequence.tail)
        guard items.count == 2, items[0].head == "cert", items[1].head == "signature" else { throw refuse("the sequence must hold the cert, then its signature") }
        var warnings: [SPKIWarning] = []
        let cert: Cert
        let signature: SPKISignature
        do {
            cert = try Cert(parsing: items[0], warnings: &warnings)
            signature = try SPKISignature(parsing: items[1])
        } catch {
            throw refuse("malformed: \(error)")
        }
        let issuer = cert.issuer.principal
        guard issuer.isKey else { throw refuse("the cert's issuer must be the VM's public key, not a hash") }
        let key: RSAKeyFile
        do {
            key = try RSAKeyFile.load(issuer.sexp.canonical)
            try signature.verify(canonical: cert.signedBytes, key: key)
        } catch {
            throw refuse("the signature is not the VM key's: \(error.message)")
        }
        guard case .principal(let subject) = cert.subject, subject.id == principal.id else {
            throw refuse("the cert's subject is not this registrar's key (`\(configuration.name)`)")
        }
        guard cert.propagate else { throw refuse("the cert must carry `(propagate)`: the registrar delegates it to users") }
        let now = self.now
        if let notAfter = cert.validity.notAfter?.secondsSinceEpoch, notAfter <= now { throw refuse("the cert expired at \(notAfter)") }
        if let notBefore = cert.validity.notBefore?.secondsSinceEpoch, notBefore > now + configuration.skew {
            throw refuse("the cert is not valid before \(notBefore)")
        }
        return EnrolledSlot(key: issuer.sexp.advanced(width: 0), keyHash: Self.keyHash(key), cert: sequence.advanced(width: 0),
                            notAfter: cert.validity.notAfter?.secondsSinceEpoch)
    }

    func enroll(_ request: SignedRequest) async throws(RegistrarError) -> SExpr {
        let attributes = try Self.hostAttributes(request)
        let vms = request.elements("vm")
        guard !vms.isEmpty, vms.count <= 4096 else {
            throw RegistrarError(.malformed, "an enrollment lists 1 to 4096 `(vm (sequence CERT SIGNATURE))`, found \(vms.count)")
        }
        var checked: [EnrolledSlot] = []
        for (index, vm) in vms.enumerated() { checked.append(try enrolledSlot(vm, index: index)) }
        let slots = checked
        guard Set(slots.map(\.keyHash)).count == slots.count else {
            throw RegistrarError(.badResourceCert, "two VMs of the enrollment have the same key", help: "each VM slot has a key of its own")
        }
        let approval = try approvalCheck(request, host: attributes.name)
        let tokenHash = request.argument("token").map { Hex.encode(HashAlgorithm.sha256.digest(Array($0.utf8))) }
        let hostKey = request.signer.publicKeySExpr.advanced(width: 0)
        let hostHash = request.signerID
        let me = configuration.name
        let now = self.now
        let allocated = try await storage {
            try await database.transaction { tx -> Int in
                let existing = try await tx.query("SELECT key_hash, registrar FROM hosts WHERE name = $1", [.text(attributes.name)])
                var approvedBy = "re-enrollment"
                if let row = existing.first {
                    guard try row.text("key_hash") == hostHash else {
                        throw RegistrarError(.enrollmentRefused, "host `\(attributes.name)` is enrolled with another key",
                                             help: "sign with the host's enrolled key, or ask the operator to remove the host")
                    }
                    guard try row.text("registrar") == me else {
                        throw RegistrarError(.enrollmentRefused, "host `\(attributes.name)` is enrolled with registrar `\(row["registrar"].text ?? "?")`",
                                             help: "enroll it with that registrar")
                    }
                } else if let approval {
                    let operators = try await tx.query("SELECT name FROM users WHERE key_hash = $1 AND operator = 1", [.text(approval)])
                    guard let name = operators.first?["name"].text else {
                        throw RegistrarError(.enrollmentRefused, "the approval is not signed by a registered operator",
                                             help: "an operator is a user added with `vpxi-registrar user add --operator`")
                    }
                    approvedBy = "operator " + name
                } else if let tokenHash {
                    let used = try await tx.query("UPDATE tokens SET used_at = $3 WHERE token_hash = $1 AND host = $2 AND used_at IS NULL RETURNING host",
                                                  [.text(tokenHash), .text(attributes.name), .int(now)])
                    guard !used.isEmpty else {
                        throw RegistrarError(.enrollmentRefused, "the registration token is unknown, used, or for another host",
                                             help: "ask the operator for a token for `\(attributes.name)` (`vpxi-registrar token create --host \(attributes.name)`)")
                    }
                    approvedBy = "token"
                } else {
                    throw RegistrarError(.enrollmentRefused, "host `\(attributes.name)` is unknown; its first enrollment needs `(token T)` or an operator's `(approval ...)`",
                                         help: "ask the operator for a registration token (`vpxi-registrar token create --host \(attributes.name)`)")
                }
                let locators = attributes.locators.joined(separator: " ")
                let trusted = attributes.trustedBy.joined(separator: " ")
                if existing.isEmpty {
                    try await tx.query("""
                        INSERT INTO hosts (name, registrar, key, key_hash, cpus, memory, disk, hypervisor, site, trusted_by, locators, enrolled_at, approved_by)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                        """, [.text(attributes.name), .text(me), .text(hostKey), .text(hostHash), .int(attributes.cpus), .int(attributes.memory),
                              .int(attributes.disk), attributes.hypervisor.map(DBValue.text) ?? .null, attributes.site.map(DBValue.text) ?? .null,
                              .text(trusted), .text(locators), .int(now), .text(approvedBy)])
                } else {
                    try await tx.query("""
                        UPDATE hosts SET cpus = $2, memory = $3, disk = $4, hypervisor = $5, site = $6, trusted_by = $7, locators = $8, enrolled_at = $9
                        WHERE name = $1
                        """, [.text(attributes.name), .int(attributes.cpus), .int(attributes.memory), .int(attributes.disk),
                              attributes.hypervisor.map(DBValue.text) ?? .null, attributes.site.map(DBValue.text) ?? .null,
                              .text(trusted), .text(locators), .int(now)])
                }
                // Free slots are replaced by the new list; allocated ones stay until released.
                try await tx.query("DELETE FROM slots WHERE host = $1 AND vpxi IS NULL", [.text(attributes.name)])
                let kept = try await tx.query("SELECT idx, key_hash FROM slots WHERE host = $1", [.text(attributes.name)])
                let keptHashes = Set(kept.compactMap { $0["key_hash"].text })
                var next = (kept.compactMap { $0["idx"].int }.max() ?? -1) + 1
                for slot in slots where !keptHashes.contains(slot.keyHash) {
                    let clash = try await tx.query("SELECT host FROM slots WHERE key_hash = $1", [.text(slot.keyHash)])
                    if let other = clash.first {
                        throw RegistrarError(.badResourceCert, "a VM key of the enrollment is already enrolled on host `\(other["host"].text ?? "?")`",
                                             help: "each VM slot has a key of its own")
                    }
                    try await tx.query("INSERT INTO slots (host, idx, key, key_hash, resource_cert, not_after) VALUES ($1, $2, $3, $4, $5, $6)",
                                       [.text(attributes.name), .int(next), .text(slot.key), .text(slot.keyHash), .text(slot.cert),
                                        slot.notAfter.map(DBValue.int) ?? .null])
                    next += 1
                }
                return kept.count
            }
        }
        metrics.enrolled()
        logger.info("enrolled host \(attributes.name) with \(slots.count) VM slots")
        return ["enrolled", ["host", .string(attributes.name)], ["registrar", .string(me)],
                ["slots", .string(String(slots.count))], ["allocated", .string(String(allocated))]]
    }

    /// `(approval (signed-approval (approve-host (name H) (key-hash HEX)) SIGNATURE))`,
    /// signed by a registered operator: returns the operator's name, nil when absent.
    func approvalCheck(_ request: SignedRequest, host: String) throws(RegistrarError) -> String? {
        guard let approval = request.request.first("approval") else { return nil }
        let parts = Array(approval.tail.first?.tail ?? [])
        guard approval.tail.first?.head == "signed-approval", parts.count == 2, parts[0].head == "approve-host" else {
            throw RegistrarError(.malformed, "an approval is `(approval (signed-approval (approve-host (name H) (key-hash HEX)) SIGNATURE))`")
        }
        let body = parts[0]
        guard body.first("name")?.tail.first?.text == host, body.first("key-hash")?.tail.first?.text?.lowercased() == request.signerID else {
            throw RegistrarError(.enrollmentRefused, "the approval is for another host name or key",
                                 help: "the operator approves `(approve-host (name \(host)) (key-hash \(request.signerID)))`")
        }
        let signature: SPKISignature
        let key: RSAKeyFile
        do {
            signature = try SPKISignature(parsing: parts[1])
            key = try RSAKeyFile.load(signature.principal.canonical)
            try signature.verify(canonical: body.canonical, key: key)
        } catch {
            throw RegistrarError(.enrollmentRefused, "the approval's signature does not verify: \(error.message)")
        }
        return Self.keyHash(key)
    }
}
