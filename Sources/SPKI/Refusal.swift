/// Why a request is not authorized: data, rendered by the command line.
///
/// Either no chain of certs leads from the ACL to the requester at all, or some do and
/// each fails at a link: for each of the closest partial chains, the first link that fails
/// and why.
public struct Refusal: Hashable, Sendable {
    /// One link of a chain: link 0 is the ACL entry, link k ≥ 1 the k-th cert.
    public enum Link: Hashable, Sendable {
        case aclEntry(Int)
        case cert(Int)
    }

    /// Why a link fails.
    public enum Reason: Hashable, Sendable {
        /// The link allows no further delegation, and a link follows.
        case delegationNotAllowed
        /// The link's tag does not include the request.
        case tagExcludesRequest(tag: Tag, request: Tag)
        /// The link's tag and the tags before it have nothing in common.
        case tagsDisjoint(tag: Tag, accumulated: Tag)
        /// The link's validity ended before the time of the request.
        case validityEnded(at: SPKIDate, requested: SPKIDate)
        /// The link's validity starts after the time of the request.
        case notYetValid(from: SPKIDate, requested: SPKIDate)
        /// The link's validity and the validity before it do not overlap.
        case validityDisjoint(link: Validity, accumulated: Validity)
        /// The link asks for an online check, which is not supported.
        case onlineTestRequired
        /// The link's signature is missing, unverifiable or invalid.
        case signature(problem: String)
        /// The link's issuer is not the subject of the link before it.
        case issuerMismatch(expected: String, found: String)
        /// The link's threshold subject is met by fewer than K members.
        case thresholdNotMet(k: Int, met: Int)
    }

    /// A chain that gets some way towards the requester, and where it stops.
    public struct PartialChain: Hashable, Sendable {
        public let links: [Link]
        /// The index in `links` of the first link that fails.
        public let failingLink: Int
        public let reason: Reason

        public init(links: [Link], failingLink: Int, reason: Reason) {
            self.links = links
            self.failingLink = failingLink
            self.reason = reason
        }
    }

    public enum Kind: Hashable, Sendable {
        /// No cert leads from the ACL's subjects to anyone who can reach the requester.
        /// `reachable` counts the principals the ACL reaches, `reaching` those who reach
        /// the requester (ignoring tags, times and delegation). `to` is `nil` when no
        /// requester was named.
        case noPath(from: [Subject], to: Subject?, reachable: Int, reaching: Int)
        /// Chains exist; each of these fails at a link.
        case failingChains([PartialChain])
        /// The ACL has no entry at all.
        case emptyACL
    }

    public let kind: Kind

    public init(_ kind: Kind) { self.kind = kind }
}
