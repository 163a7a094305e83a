import Foundation
import RSA
import SExpr
import SPKI

/// Checks one login's chain: the user's SSH key as an SPKI principal, the VM's ACL
/// (`(entry VMKEY (propagate) (tag (*)))`: the machine trusts its own key, as the compiler's
/// `acl/<vpxi>/<machine>` says), the request, and the SPKI chain finder at the time.
enum LoginChainCheck {
    /// The end of the chain's validity (nil: unbounded), or why it does not grant ssh.
    static func check(_ entry: BundleLogins.Entry, sshKey: String, at time: Date) -> Result<Date?, AgentError> {
        let what = "login `\(entry.user)` on `\(entry.vm)`"
        guard let requester = principal(sshLine: sshKey) else {
            return .failure(AgentError(.chainRefused, "\(what): the SSH key is not an RSA or Ed25519 key, so no chain can name it"))
        }
        var warnings: [SPKIWarning] = []
        var builder = CertBag.Builder()
        do {
            try builder.add(try SPKISequence(parsing: entry.chain, warnings: &warnings), origin: "chain of \(entry.user) on \(entry.vm)")
        } catch {
            return .failure(AgentError(.chainRefused, "\(what): the chain is not an SPKI sequence: \(error.message)"))
        }
        let bag = builder.build(checkSignatures: true)
        let acl = ACL(entries: [ACL.Entry(subject: .principal(entry.vmKey), propagate: true, tag: .all)])
        let request = Tag.list("vpxi", [.string(entry.vpxi), resource(entry.vmKey), .string("ssh")])
        let at = SPKIDate(secondsSinceEpoch: Int64(time.timeIntervalSince1970.rounded(.down)))
        switch ChainFinder(acl: acl, bag: bag).find(requester: requester, request: request, at: at) {
        case .authorized(let chain):
            return .success(chain.validity.notAfter.map { Date(timeIntervalSince1970: TimeInterval($0.secondsSinceEpoch)) })
        case .refused(let refusal):
            return .failure(AgentError(.chainRefused, "\(what): the chain does not grant ssh at \(CheckReport.format(time)): \(describe(refusal, bag: bag))"))
        }
    }

    /// `(resource (hash sha256 |H|))` of a machine's key, as certificates name it.
    static func resource(_ key: Principal) -> Tag {
        let atoms = key.sha256Hash.tail.compactMap { $0.atomValue.map(Tag.atom) }
        return .list("resource", [.list("hash", atoms)])
    }

    /// The SPKI principal of an OpenSSH public key line: RSA keys as the RSA module writes
    /// them, Ed25519 keys as `(public-key (ecc (curve Ed25519) (flags eddsa) (q |40…|)))`.
    static func principal(sshLine: String) -> Principal? {
        let fields = sshLine.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 2 else { return nil }
        if fields[0] == "ssh-ed25519" {
            guard let blob = Data(base64Encoded: String(fields[1])), blob.count == 51,
                  Array(blob.prefix(15)) == [0, 0, 0, 11] + Array("ssh-ed25519".utf8),
                  Array(blob[15..<19]) == [0, 0, 0, 32] else { return nil }
            let q = [UInt8(0x40)] + Array(blob.suffix(32))
            let value: SExpr = ["public-key", ["ecc", ["curve", "Ed25519"], ["flags", "eddsa"], ["q", .bytes(q)]]]
            return try? Principal(parsing: value)
        }
        guard let key = try? RSAKeyFile.load(Array(sshLine.utf8)), !key.isPrivate else { return nil }
        return Principal(key: key)
    }

    static func describe(_ refusal: Refusal, bag: CertBag) -> String {
        switch refusal.kind {
        case .emptyACL: return "the VM's ACL is empty"
        case .noPath: return "no cert leads from the VM's key to the user's key"
        case .failingChains(let chains):
            guard let chain = chains.first else { return "no chain" }
            var link = "the ACL entry"
            if case .cert(let index) = chain.links[chain.failingLink] { link = "cert \(index + 1) of the chain" }
            switch chain.reason {
            case .delegationNotAllowed: return "\(link) does not allow delegation"
            case .tagExcludesRequest(let tag, _): return "\(link) grants `\(tag.sexp)`, which does not include ssh on this VM"
            case .tagsDisjoint(let tag, _): return "\(link) grants `\(tag.sexp)`, nothing in common with the chain before it"
            case .validityEnded(let end, _): return "\(link) expired at \(end.rfc3339)"
            case .notYetValid(let start, _): return "\(link) is valid only from \(start.rfc3339)"
            case .validityDisjoint: return "\(link) is not valid when the chain before it is"
            case .onlineTestRequired: return "\(link) asks for an online test, which the agent does not perform"
            case .signature(let problem): return "\(link): \(problem)"
            case .issuerMismatch(let expected, let found): return "\(link) is issued by \(found), not \(expected)"
            case .thresholdNotMet(let k, let met): return "\(link) needs \(k) subjects, \(met) met"
            }
        }
    }
}
