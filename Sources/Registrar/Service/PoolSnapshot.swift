import PolicyCompiler

/// The pool as the registrar's database holds it, written as policy declarations so that
/// a requested `.vp` fragment compiles against it with the compiler's own analysis and
/// placement: every registrar and user with an inline key, every enrolled host with what
/// is still free on it (cpus, memory, disk, VM slots).
public struct PoolSnapshot: Sendable {
    public struct RegistrarEntry: Sendable {
        public var name: String
        public var key: String
    }

    public struct UserEntry: Sendable {
        public var name: String
        public var key: String
        public var communities: [String]
        public var clearance: String?
    }

    public struct HostEntry: Sendable {
        public var name: String
        public var registrar: String
        public var freeCPUs: Int64
        public var freeMemory: Int64
        public var freeDisk: Int64
        public var freeSlots: Int
        public var hypervisor: String?
        public var site: String?
        public var trustedBy: [String]
        public var locators: [String]
    }

    public var registrars: [RegistrarEntry] = []
    public var users: [UserEntry] = []
    public var hosts: [HostEntry] = []

    public init() {}

    /// The declarations, sorted by name so that the same pool gives the same text.
    public var policyText: String {
        var lines: [String] = ["# pool snapshot written by vpxi-registrar"]
        for registrar in registrars.sorted(by: { $0.name < $1.name }) {
            lines.append("registrar \(registrar.name) key inline \(Self.quote(registrar.key))")
        }
        let communities = Set(users.flatMap(\.communities) + hosts.flatMap(\.trustedBy)).sorted()
        for community in communities { lines.append("community \(community)") }
        for user in users.sorted(by: { $0.name < $1.name }) {
            var line = "user \(user.name) key inline \(Self.quote(user.key))"
            if !user.communities.isEmpty { line += " member-of " + user.communities.joined(separator: ", ") }
            if let clearance = user.clearance { line += " clearance \(clearance)" }
            lines.append(line)
        }
        // A full host (no free slot, cpu or memory) is left out: it can hold nothing, and
        // the language has no host of zero cpus.
        for host in hosts.sorted(by: { $0.name < $1.name }) where host.freeSlots > 0 && host.freeCPUs > 0 && host.freeMemory > 0 {
            var body = ["cpus \(host.freeCPUs)", "memory \(host.freeMemory) B", "registered-with \(host.registrar)"]
            if host.freeDisk > 0 { body.append("disk \(host.freeDisk) B") }
            if !host.locators.isEmpty { body.insert("locator " + host.locators.joined(separator: ", "), at: 0) }
            if let hypervisor = host.hypervisor { body.append("hypervisor \(hypervisor)") }
            if let site = host.site { body.append("site \(site)") }
            if !host.trustedBy.isEmpty { body.append("trusted-by " + host.trustedBy.joined(separator: ", ")) }
            lines.append("host \(host.name) { " + body.joined(separator: " ") + " }")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A policy string literal.
    static func quote(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.append(character)
            }
        }
        return out + "\""
    }

    /// Whether `name` may appear in a policy as a declared name (what enrollment and
    /// user registration accept).
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic, name.utf8.count <= 64 else { return false }
        return name.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "_" }
    }
}
