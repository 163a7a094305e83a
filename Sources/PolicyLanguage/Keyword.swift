/// The words with a meaning in some position of the grammar. The lexer tags
/// identifiers with the keyword they spell; the parser decides by position.
public enum Keyword: UInt8, Sendable, CaseIterable {
    case none
    // declarations
    case include, registrar, community, host, user, vpxi
    // key and user clauses
    case key, inline, spki, pem, openssh, memberOf, clearance
    // properties
    case locator, cpus, memory, disk, hypervisor, registeredWith, trustedBy, site, bandwidth, latency
    case cost, function, image, protect, owner, window, certificates, require, confidentiality, maxCost
    // property words
    case valid, renew, every, from, until
    // vpxi members
    case node, cluster, link, grant, test
    // grants and tests
    case via, on, all, during, expect, can, cannot, at

    /// The keyword as written.
    public var spelling: String {
        switch self {
        case .none: return ""
        case .include: return "include"
        case .registrar: return "registrar"
        case .community: return "community"
        case .host: return "host"
        case .user: return "user"
        case .vpxi: return "vpxi"
        case .key: return "key"
        case .inline: return "inline"
        case .spki: return "spki"
        case .pem: return "pem"
        case .openssh: return "openssh"
        case .memberOf: return "member-of"
        case .clearance: return "clearance"
        case .locator: return "locator"
        case .cpus: return "cpus"
        case .memory: return "memory"
        case .disk: return "disk"
        case .hypervisor: return "hypervisor"
        case .registeredWith: return "registered-with"
        case .trustedBy: return "trusted-by"
        case .site: return "site"
        case .bandwidth: return "bandwidth"
        case .latency: return "latency"
        case .cost: return "cost"
        case .function: return "function"
        case .image: return "image"
        case .protect: return "protect"
        case .owner: return "owner"
        case .window: return "window"
        case .certificates: return "certificates"
        case .require: return "require"
        case .confidentiality: return "confidentiality"
        case .maxCost: return "max-cost"
        case .valid: return "valid"
        case .renew: return "renew"
        case .every: return "every"
        case .from: return "from"
        case .until: return "until"
        case .node: return "node"
        case .cluster: return "cluster"
        case .link: return "link"
        case .grant: return "grant"
        case .test: return "test"
        case .via: return "via"
        case .on: return "on"
        case .all: return "all"
        case .during: return "during"
        case .expect: return "expect"
        case .can: return "can"
        case .cannot: return "cannot"
        case .at: return "at"
        }
    }

    /// Keywords that begin a top-level declaration.
    public var isDeclaration: Bool {
        switch self {
        case .include, .registrar, .community, .host, .user, .vpxi: return true
        default: return false
        }
    }

    /// Keywords that only make sense inside a `vpxi`.
    public var isVPXIMember: Bool {
        switch self {
        case .node, .cluster, .link, .grant, .test: return true
        default: return false
        }
    }

    private static let table: [[(bytes: [UInt8], keyword: Keyword)]] = {
        var buckets = [[(bytes: [UInt8], keyword: Keyword)]](repeating: [], count: 17)
        for keyword in Keyword.allCases where keyword != .none {
            let bytes = Array(keyword.spelling.utf8)
            buckets[bytes.count].append((bytes, keyword))
        }
        return buckets
    }()

    /// The keyword spelled by `bytes[start..<end]`, or `.none`.
    @inline(__always)
    static func classify(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Keyword {
        let length = end - start
        guard length >= 2, length < table.count else { return .none }
        let first = bytes[start]
        for entry in table[length] where entry.bytes[0] == first {
            var index = 1
            while index < length, entry.bytes[index] == bytes[start + index] { index += 1 }
            if index == length { return entry.keyword }
        }
        return .none
    }

    /// Declaration keywords by spelling, for "did you mean".
    static let declarationSpellings: [String] = Keyword.allCases.filter(\.isDeclaration).map(\.spelling)
}
