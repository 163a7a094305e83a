import Foundation
import SExpr
import SPKI

/// The logins of a verified bundle (`authorized.sexp`), each with what its check needs: the
/// VM's key (from `peers.sexp`: the VM's ACL trusts it, with delegation, for everything),
/// its VPXI, and the chain the user presents. `evaluate(at:)` decides which are enforced.
public struct BundleLogins: Sendable {
    public struct Entry: Sendable {
        public var vm: String
        public var vpxi: String
        public var user: String
        public var sshKey: String?
        public var notBefore: Date?
        public var expires: Date
        var vmKey: Principal
        var chain: SExpr
    }

    /// What `evaluate` decided for one login.
    public enum Decision: Sendable {
        /// Enforced now: its authorized_keys line, until the earlier of the bundle's expiry
        /// and the chain's.
        case enforced(AuthorizedLogin)
        /// The bundle says it starts later; it is checked again then.
        case pending(from: Date)
        /// Not enforced, and not an error: it expired, or the user has no SSH key.
        case inactive(String)
        /// The bundle says it holds now, but its chain does not grant ssh now: the bundle is wrong.
        case refused(String)
    }

    public let entries: [Entry]

    /// Reads `authorized.sexp` against the host's VMs (`peers.sexp`).
    static func read(authorized: [UInt8], vms: LocalVMs, host: String) throws(AgentError) -> BundleLogins {
        let value = try SExprFields.parse(authorized, file: "authorized.sexp")
        let fields = SExprFields(value, file: "authorized.sexp")
        guard value.head == "authorized", try fields.text("version") == "1" else {
            throw SExprFields.malformed("authorized.sexp", "it is not an `(authorized (version \"1\") …)`")
        }
        guard try fields.text("host") == host else { throw SExprFields.malformed("authorized.sexp", "it is for another host") }
        var entries: [Entry] = []
        for vmValue in value.tail where vmValue.head == "vm" {
            let vmFields = SExprFields(vmValue, file: "authorized.sexp")
            let name = try vmFields.text("name")
            guard AuthorizedLogin.isSafeVMName(name) else { throw SExprFields.malformed("authorized.sexp", "`\(name)` is not a VM name") }
            guard let vm = vms.byName[name] else {
                throw SExprFields.malformed("authorized.sexp", "VM `\(name)` is not one of the host's VMs in peers.sexp")
            }
            guard try vmFields.text("hit") == vm.hit.description else {
                throw SExprFields.malformed("authorized.sexp", "the HIT of `\(name)` differs from peers.sexp")
            }
            for login in vmValue.tail where login.head == "login" {
                let loginFields = SExprFields(login, file: "authorized.sexp")
                entries.append(Entry(vm: name, vpxi: vm.vpxi, user: try loginFields.text("user"),
                                     sshKey: try loginFields.optionalText("ssh-key"), notBefore: try loginFields.optionalDate("not-before"),
                                     expires: try loginFields.date("expires"), vmKey: vm.key,
                                     chain: try loginFields.list("chain").tail.first ?? .list([])))
            }
        }
        return BundleLogins(entries: entries)
    }

    /// Decides every login at `time`: the chain is reduced against the VM's ACL with the
    /// SPKI chain finder, for the request `(vpxi V (resource (hash sha256 |H(VM)|)) ssh)`
    /// by the user's key.
    public func evaluate(at time: Date) -> [(entry: Entry, decision: Decision)] {
        entries.map { entry in (entry, Self.decide(entry, at: time)) }
    }

    static func decide(_ entry: Entry, at time: Date) -> Decision {
        guard let sshKey = entry.sshKey else { return .inactive("no SSH key, so no authorized_keys line") }
        if time >= entry.expires { return .inactive("expired at \(CheckReport.format(entry.expires))") }
        if let start = entry.notBefore, time < start { return .pending(from: start) }
        switch LoginChainCheck.check(entry, sshKey: sshKey, at: time) {
        case .failure(let error):
            return .refused(error.message)
        case .success(let chainEnd):
            let login = AuthorizedLogin(vm: entry.vm, account: entry.user, publicKey: sshKey,
                                        expiry: min(entry.expires, chainEnd ?? entry.expires))
            do throws(AgentError) {
                try login.validate()
            } catch {
                return .refused(error.message)
            }
            return .enforced(login)
        }
    }
}
