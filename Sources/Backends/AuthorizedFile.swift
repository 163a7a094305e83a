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
        shapedDocument(host: host, resolved: resolved).document
    }

    /// The document, and where in its buffer each input went (`Shape`; nil when a chain's
    /// bytes were not appended verbatim, see `append(canonical:to:)`).
    static func shapedDocument(host: Int, resolved: ResolvedPlan) -> (document: SExprDocument, shape: Shape?) {
        let plan = resolved.plan
        var out = SExprDocument.Builder(capacity: 16 + resolved.vmsOfHost[host].count * 8)
        var shape: Shape? = Shape()
        func field(_ name: String, _ value: String) -> Shape.Slot {
            out.open(name)
            let slot = Shape.Slot(out.byteCount, value.utf8.count)
            out.atom(value)
            out.close()
            return slot
        }
        out.open("authorized")
        out.field("version", "1")
        shape?.host = field("host", plan.hosts[host].name)
        // The logins of an epoch share a few dates: each one's text made once.
        var dates = DateTexts()
        for vm in resolved.vmsOfHost[host] {
            out.open("vm")
            var shaped = Shape.VM(name: field("name", plan.vms[vm].name), hit: field("hit", resolved.hitTexts[vm]))
            for index in resolved.loginsOfVM[vm] {
                let login = plan.logins[index]
                out.open("login")
                let user = field("user", login.user)
                let key = login.sshPublicKey.map { field("ssh-key", $0) }
                let notBefore = login.notBefore.map { field("not-before", dates.text($0)) }
                let expires = field("expires", dates.text(login.expires))
                out.open("chain")
                let chain = Shape.Slot(out.byteCount, login.chainCanonical.count)
                if !append(canonical: login.chainCanonical, to: &out) { shape = nil }
                out.close()
                out.close()
                shaped.logins.append(Shape.Login(user: user, sshKey: key, notBefore: notBefore, expires: expires, chain: chain))
            }
            out.close()
            shape?.vms.append(shaped)
        }
        out.close()
        return (out.build(), shape)
    }

    /// The expression encoded canonically in `canonical`, appended to `out` in bulk
    /// (`SExprDocument.Builder.append(canonical:)`: no `SExpr` values); bytes that do not
    /// parse (which a planner never makes) are appended as the value `chain` gives. Whether
    /// the bytes were appended verbatim.
    @discardableResult
    static func append(canonical: [UInt8], to out: inout SExprDocument.Builder) -> Bool {
        do {
            try out.append(canonical: canonical)
            return true
        } catch {
            out.append((try? SExprParser(options: .init(canonicalOnly: true)).parseOne(canonical)) ?? .list([]))
            return false
        }
    }

    /// The text of each date, made once per file.
    struct DateTexts {
        var known: [SPKIDate: String] = [:]

        mutating func text(_ date: SPKIDate) -> String {
            if let text = known[date] { return text }
            let text = date.description
            known[date] = text
            return text
        }
    }
}
