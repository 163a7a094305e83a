import Hashing
import RSA
import SExpr

/// The operator's actions, run from the command line against the database
/// (`vpxi-registrar user add`, `vpxi-registrar token create`).
extension RegistrarService {
    /// What `registerUser` did: a new user, or which of an existing user's fields it
    /// changed (none when they were all the same).
    public enum UserRegistration: Sendable, Equatable {
        case added
        case updated(changed: [String])
    }

    /// Registers (or updates) a user: name, public key, communities, clearance, and
    /// whether they are an operator (who approves hosts and may release any vpxi).
    @discardableResult
    public func registerUser(name: String, key: RSAKeyFile, communities: [String], clearance: String?,
                             isOperator: Bool) async throws(RegistrarError) -> UserRegistration {
        guard PoolSnapshot.isValidName(name) else { throw RegistrarError(.malformed, "`\(name)` is not a valid user name", help: "use letters, digits, `-` and `_`") }
        for community in communities where !PoolSnapshot.isValidName(community) {
            throw RegistrarError(.malformed, "`\(community)` is not a valid community name")
        }
        if let clearance, !["low", "medium", "high"].contains(clearance) {
            throw RegistrarError(.malformed, "unknown clearance `\(clearance)`", help: "one of low, medium, high")
        }
        let text = key.publicKeySExpr.advanced(width: 0)
        let hash = Self.keyHash(key)
        let now = self.now
        let joined = communities.joined(separator: " ")
        return try await storage {
            try await database.transaction { tx -> UserRegistration in
                let clash = try await tx.query("SELECT name FROM users WHERE key_hash = $1 AND name <> $2", [.text(hash), .text(name)])
                if let other = clash.first {
                    throw RegistrarError(.conflict, "this key is already user `\(other["name"].text ?? "?")`'s", help: "each user has a key of their own")
                }
                let before = try await tx.query("SELECT key_hash, communities, clearance, operator FROM users WHERE name = $1", [.text(name)]).first
                try await tx.query("""
                    INSERT INTO users (name, key, key_hash, communities, clearance, operator, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
                    ON CONFLICT (name) DO UPDATE SET key = $2, key_hash = $3, communities = $4, clearance = $5, operator = $6
                    """, [.text(name), .text(text), .text(hash), .text(communities.joined(separator: " ")),
                          clearance.map(DBValue.text) ?? .null, .int(isOperator ? 1 : 0), .int(now)])
                guard let before else { return .added }
                var changed: [String] = []
                if before["key_hash"].text != hash { changed.append("key") }
                if (before["communities"].text ?? "") != joined { changed.append("communities") }
                if before["clearance"].text != clearance { changed.append("clearance") }
                if (before["operator"].int ?? 0) != (isOperator ? 1 : 0) { changed.append("operator") }
                return .updated(changed: changed)
            }
        }
    }

    /// Creates a single-use registration token for host `host`; only its hash is stored.
    public func createToken(host: String) async throws(RegistrarError) -> String {
        guard PoolSnapshot.isValidName(host) else { throw RegistrarError(.malformed, "`\(host)` is not a valid host name") }
        var generator = SystemRandomNumberGenerator()
        let token = Hex.encode((0..<20).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let hash = Hex.encode(HashAlgorithm.sha256.digest(Array(token.utf8)))
        let now = self.now
        _ = try await storage {
            try await database.transaction { tx in
                try await tx.query("INSERT INTO tokens (token_hash, host, created_at) VALUES ($1, $2, $3)", [.text(hash), .text(host), .int(now)])
            }
        }
        return token
    }
}
