import SExpr

/// `authorized.sexp`: who may log into each VM of the host, until when, and the chain that
/// proves it. Every VM of the host is listed, with no login when nobody may log in.
enum AuthorizedFile {
    static func make(host: Int, resolved: ResolvedPlan) -> SExpr {
        let plan = resolved.plan
        var items: [SExpr] = ["authorized", ["version", "1"], ["host", .string(plan.hosts[host].name)]]
        for vm in resolved.vmsOfHost[host] {
            var entry: [SExpr] = ["vm", ["name", .string(plan.vms[vm].name)], ["hit", .string(resolved.hits[vm].description)]]
            for index in resolved.loginsOfVM[vm] {
                let login = plan.logins[index]
                var fields: [SExpr] = ["login", ["user", .string(login.user)]]
                if let key = login.sshPublicKey { fields.append(["ssh-key", .string(key)]) }
                if let start = login.notBefore { fields.append(["not-before", .string(start.description)]) }
                fields.append(["expires", .string(login.expires.description)])
                fields.append(["chain", login.chain])
                entry.append(.list(fields))
            }
            items.append(.list(entry))
        }
        return .list(items)
    }
}
