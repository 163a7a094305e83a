/// Where each file of a compilation's output goes, relative to the output directory
/// (`Docs/outputs.md` documents the layout).
public enum OutputLayout {
    public static let manifest = "manifest"

    /// `acl/<vpxi>`: the ACL of each machine of the vpxi, one object after the other (the
    /// manifest gives each one's offset and length). Until manifest version 2, each
    /// machine's ACL had its own file, `acl/<vpxi>/<machine>`.
    public static func acls(vpxi: String) -> String { "acl/\(vpxi)" }

    /// `certs/<vpxi>`: the vpxi's signed certs, as one `(sequence CERT SIGNATURE ...)`.
    public static func certs(vpxi: String) -> String { "certs/\(vpxi)" }

    /// `certs/<sha256>.cert`: a signed cert alone, in outputs of manifest version 1 (read
    /// back when compiling over one).
    static func legacyCert(_ hex: String) -> String { "certs/\(hex).cert" }

    /// `chains/<user>/<vpxi>`: what the user presents to each machine of the vpxi, one
    /// `(sequence ...)` per machine (the manifest gives each one's offset and length).
    public static func chains(user: String, vpxi: String) -> String { "chains/\(user)/\(vpxi)" }

    /// `pending/<sha256>.tbs`: a cert to be signed by its issuer (`spki sign`).
    public static func pending(_ hex: String) -> String { "pending/\(hex).tbs" }

    /// `pending/<sha256>.sig`: where `spki sign` puts the signature of a pending cert, for
    /// the next run to merge.
    public static func pendingSignature(_ hex: String) -> String { "pending/\(hex).sig" }

    /// `chains/<user>`: the user's chains (a link into the pool).
    public static func chainsLink(user: String) -> String { "chains/\(user)" }

    /// The key of a chain in the manifest: `<user>/<vpxi>/<machine>`.
    public static func chainKey(user: String, vpxi: String, machine: String) -> String { "\(user)/\(vpxi)/\(machine)" }
}
