import SExpr
import SPKI

/// What an output holds, indexed for writing it: the certs, chains and ACLs of each vpxi,
/// the chains each cert is in, and the content names of the pool entries (each vpxi's
/// certs file, chains directory and ACLs file). The vpxis carried over
/// (`plan.carried`) have none here: their part comes from the previous output.
struct OutputContent {
    let model: PolicyModel
    let plan: CertPlan
    /// For each vpxi, its certs in the plan (the plan holds them vpxi by vpxi).
    var certRanges: [Range<Int>] = []
    /// For each vpxi, its chains.
    var chainsOfVPXI: [[Int]] = []
    /// For each vpxi, the index of its first ACL in the plan.
    var aclIndex: [Int] = []
    /// For each cert, the keys of the chains it is in.
    var chainKeysOfCert: [[String]] = []
    /// For each vpxi with complete chains, the name of its chains' pool directory (a file
    /// per user in it).
    var chainDirectories: [String?] = []
    /// For each vpxi planned, the name of its ACLs' pool file.
    var aclPacks: [String?] = []
    /// For each vpxi, the name of its certs' pool file (its signed certs, in plan order);
    /// nil when it has none.
    var certPacks: [String?] = []

    init(model: PolicyModel, plan: CertPlan, signed: [Bool], format: SExprText = .advanced) {
        self.model = model
        self.plan = plan
        var start = 0
        for v in model.vpxis.indices {
            var end = start
            while end < plan.certs.count, plan.certs[end].vpxi == v { end += 1 }
            certRanges.append(start..<end)
            start = end
        }
        chainsOfVPXI = Array(repeating: [], count: model.vpxis.count)
        chainKeysOfCert = Array(repeating: [], count: plan.certs.count)
        var chainLines = [[String]](repeating: [], count: model.vpxis.count)
        for (index, chain) in plan.chains.enumerated() {
            chainsOfVPXI[chain.vpxi].append(index)
            let key = chainKey(chain)
            for cert in chain.certs { chainKeysOfCert[cert].append(key) }
            if chain.certs.allSatisfy({ signed[$0] }) {
                chainLines[chain.vpxi].append(key + " " + chain.certs.map { plan.certs[$0].hex }.joined(separator: " "))
            }
        }
        var first = 0
        for (v, vpxi) in model.vpxis.enumerated() {
            chainDirectories.append(chainLines[v].isEmpty ? nil
                : GenerationStore.contentName(["layout 3", "format \(format.rawValue)", "vpxi \(vpxi.name)"] + chainLines[v]))
            aclIndex.append(first)
            guard !plan.carried.contains(v) else {
                aclPacks.append(nil)
                certPacks.append(nil)
                continue
            }
            var lines = ["acl-pack 3", "format \(format.rawValue)"]
            for m in vpxi.machines.indices {
                lines.append(vpxi.machines[m].name + " " + (plan.acls[first + m].acl.sexp.description))
            }
            aclPacks.append(GenerationStore.contentName(lines))
            first += vpxi.machines.count
            let signedHexes = certRanges[v].filter { signed[$0] }.map { plan.certs[$0].hex }
            certPacks.append(signedHexes.isEmpty ? nil : GenerationStore.contentName(["format \(format.rawValue)"] + signedHexes))
        }
    }

    /// `<user>/<vpxi>/<machine>`.
    func chainKey(_ chain: CertPlan.PlannedChain) -> String {
        OutputLayout.chainKey(user: model.users[chain.user].name, vpxi: model.vpxis[chain.vpxi].name,
                              machine: model.vpxis[chain.vpxi].machines[chain.machine].name)
    }

    /// The key an ACL trusts.
    func machineKey(_ v: Int, _ m: Int) -> PublicKeyInfo {
        guard case .principal(let principal) = plan.acls[aclIndex[v] + m].acl.entries[0].subject else { fatalError("an ACL trusts its machine's key") }
        return PublicKeyInfo(principal: principal, rsa: nil, algorithm: "", sshLine: nil, origin: "")
    }
}
