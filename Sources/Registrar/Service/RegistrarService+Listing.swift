import SPKI

/// What the operator lists from the command line (`vpxi-registrar user list`, `host list`,
/// `vpxi list`): the database's users, enrolled hosts and VPXIs, whichever registrar
/// recorded them, in name order.
extension RegistrarService {
    /// A registered user.
    public struct UserEntry: Sendable, Equatable {
        public var name: String
        /// Lowercase hex SHA-256 of the key's principal (`RegistrarService.keyHash`).
        public var keyHash: String
        public var communities: [String]
        public var clearance: String?
        public var isOperator: Bool
        public var addedAt: Int64
    }

    /// An enrolled host and its VM slots.
    public struct HostEntry: Sendable, Equatable {
        public var name: String
        /// The registrar it enrolled with.
        public var registrar: String
        public var cpus: Int64
        public var memory: Int64
        public var slots: Int
        /// Slots held by a VPXI.
        public var allocated: Int
        public var enrolledAt: Int64
        /// `token`, or the operator who approved it.
        public var approvedBy: String
    }

    /// A VPXI, active or released.
    public struct VPXIEntry: Sendable, Equatable {
        public var name: String
        public var owner: String
        public var registrar: String
        public var status: String
        public var epoch: Int64
        /// Machines placed now (none once released).
        public var machines: Int
        public var createdAt: Int64
        public var releasedAt: Int64?
    }

    public func listUsers() async throws(RegistrarError) -> [UserEntry] {
        try await storage {
            try await database.read("SELECT name, key_hash, communities, clearance, operator, added_at FROM users ORDER BY name", []).map { row in
                UserEntry(name: try row.text("name"), keyHash: try row.text("key_hash"),
                          communities: (row["communities"].text ?? "").split(separator: " ").map(String.init),
                          clearance: row["clearance"].text, isOperator: (row["operator"].int ?? 0) != 0,
                          addedAt: row["added_at"].int ?? 0)
            }
        }
    }

    public func listHosts() async throws(RegistrarError) -> [HostEntry] {
        try await storage {
            try await database.read("""
                SELECT h.name, h.registrar, h.cpus, h.memory, h.enrolled_at, h.approved_by,
                       (SELECT COUNT(*) FROM slots s WHERE s.host = h.name) AS slots,
                       (SELECT COUNT(*) FROM slots s WHERE s.host = h.name AND s.vpxi IS NOT NULL) AS allocated
                FROM hosts h ORDER BY h.name
                """, []).map { row in
                HostEntry(name: try row.text("name"), registrar: try row.text("registrar"),
                          cpus: row["cpus"].int ?? 0, memory: row["memory"].int ?? 0,
                          slots: Int(row["slots"].int ?? 0), allocated: Int(row["allocated"].int ?? 0),
                          enrolledAt: row["enrolled_at"].int ?? 0, approvedBy: row["approved_by"].text ?? "")
            }
        }
    }

    public func listVPXIs() async throws(RegistrarError) -> [VPXIEntry] {
        try await storage {
            try await database.read("""
                SELECT v.name, v.owner, v.registrar, v.status, v.epoch, v.created_at, v.released_at,
                       (SELECT COUNT(*) FROM slots s WHERE s.vpxi = v.name) AS machines
                FROM vpxis v ORDER BY v.name
                """, []).map { row in
                VPXIEntry(name: try row.text("name"), owner: try row.text("owner"), registrar: try row.text("registrar"),
                          status: try row.text("status"), epoch: row["epoch"].int ?? 0, machines: Int(row["machines"].int ?? 0),
                          createdAt: row["created_at"].int ?? 0, releasedAt: row["released_at"].int)
            }
        }
    }
}
