import SExpr
import SPKI

/// `authorized.sexp`: who may log into each VM of the host, until when, and the chain that
/// proves it. Every VM of the host is listed, with no login when nobody may log in.
enum AuthorizedFile {
    /// The file's bytes (advanced form, 100 columns, final newline), built straight into a
    /// flat document: each chain's canonical bytes are indexed in place and copied in bulk
    /// (no `SExpr` values); `BackendsTests` checks them against the value-based
    /// rendering.
    static func text(host: Int, resolved: ResolvedPlan) -> [UInt8] {
        AdvancedPrinter(width: BundleBuilder.width).print(document(host: host, resolved: resolved))
    }

    /// The file as a flat document, before it is printed (`text`; a `BundleFileCache`
    /// prints it by patching the host's previous file, `BundleFileCache.authorized`).
    static func document(host: Int, resolved: ResolvedPlan) -> SExprDocument {
        let plan = resolved.plan
        var out = SExprDocument.Builder(capacity: 16 + resolved.vmsOfHost[host].count * 8)
        out.open("authorized")
        out.field("version", "1")
        out.field("host", plan.hosts[host].name)
        // The logins of an epoch share a few dates: each one's text made once.
        var dates: [SPKIDate: String] = [:]
        func text(_ date: SPKIDate) -> String {
            if let known = dates[date] { return known }
            let text = date.description
            dates[date] = text
            return text
        }
        for vm in resolved.vmsOfHost[host] {
            out.open("vm")
            out.field("name", plan.vms[vm].name)
            out.field("hit", resolved.hitTexts[vm])
            for index in resolved.loginsOfVM[vm] {
                let login = plan.logins[index]
                out.open("login")
                out.field("user", login.user)
                if let key = login.sshPublicKey { out.field("ssh-key", key) }
                if let start = login.notBefore { out.field("not-before", text(start)) }
                out.field("expires", text(login.expires))
                out.open("chain")
                append(canonical: login.chainCanonical, to: &out)
                out.close()
                out.close()
            }
            out.close()
        }
        out.close()
        return out.build()
    }

    /// The expression encoded canonically in `canonical`, appended to `out` in bulk
    /// (`SExprDocument.Builder.append(canonical:)`: no `SExpr` values); bytes that do not
    /// parse (which a planner never makes) are appended as the value `chain` gives.
    static func append(canonical: [UInt8], to out: inout SExprDocument.Builder) {
        do {
            try out.append(canonical: canonical)
        } catch {
            out.append((try? SExprParser(options: .init(canonicalOnly: true)).parseOne(canonical)) ?? .list([]))
        }
    }
}
