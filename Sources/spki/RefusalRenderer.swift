import SExpr
import SPKI

/// Renders a refusal as text for standard error.
struct RefusalRenderer {
    let acl: ACL
    let bag: CertBag

    func render(_ refusal: Refusal) -> String {
        switch refusal.kind {
        case .emptyACL:
            return "the ACL has no entry, so it grants nothing"
        case .noPath(let from, let to, let reachable, let reaching):
            let roots = from.map(\.description).joined(separator: ", ")
            var text = "no cert leads from \(roots) to anyone who can reach \(to?.description ?? "the requested subject")"
            text += "\n  from the ACL, \(reachable) principal\(reachable == 1 ? " is" : "s are") reached (its subjects included); \(reaching) other principal\(reaching == 1 ? "" : "s") can reach the requester"
            text += "\n  help: add the certs that link them (spki prove --certs DIR reads a whole directory)"
            return text
        case .failingChains(let chains):
            var lines = ["no chain authorizes the request; the closest \(chains.count == 1 ? "chain fails" : "chains fail") as follows:"]
            for (number, chain) in chains.enumerated() {
                lines.append("  chain \(number + 1): " + chain.links.map(label).joined(separator: " -> "))
                let link = chain.links[chain.failingLink]
                lines.append("    link \(chain.failingLink), \(label(link)): " + reason(chain.reason, link: chain.failingLink))
            }
            return lines.joined(separator: "\n")
        }
    }

    func label(_ link: Refusal.Link) -> String {
        switch link {
        case .aclEntry(let index): return "ACL entry \(index + 1)"
        case .cert(let index): return bag.label(index)
        }
    }

    func reason(_ reason: Refusal.Reason, link: Int) -> String {
        switch reason {
        case .delegationNotAllowed:
            return "delegation is not allowed at link \(link): it has no (propagate), yet a link follows"
        case .tagExcludesRequest(let tag, let request):
            return "the tag at link \(link) does not include the request\n      tag:     \(tag.field.description)\n      request: \(request.field.description)"
        case .tagsDisjoint(let tag, let accumulated):
            return "the tag at link \(link) has nothing in common with the tags before it\n      tag:    \(tag.field.description)\n      before: \(accumulated.field.description)"
        case .validityEnded(let end, let requested):
            return "the validity ended at \(end), before \(requested)"
        case .notYetValid(let start, let requested):
            return "the validity starts at \(start), after \(requested)"
        case .validityDisjoint(let own, let accumulated):
            return "the validity at link \(link), \(own.sexp?.description ?? "(always)"), does not overlap \(accumulated.sexp?.description ?? "(always)")"
        case .onlineTestRequired:
            return "the link asks for an online test, which spki does not perform"
        case .signature(let problem):
            return "the signature is not valid: \(problem)"
        case .issuerMismatch(let expected, let found):
            return "the issuer is \(found), but the link before it grants to \(expected)"
        case .thresholdNotMet(let k, let met):
            return "the threshold needs \(k) of its subjects, only \(met) lead on"
        }
    }
}
