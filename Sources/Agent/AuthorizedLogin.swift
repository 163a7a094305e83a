import Foundation

/// Who may log into which account with which SSH key, until when (after the chain was
/// checked by whoever builds the value: the agent enforces, it does not re-decide).
public struct AuthorizedLogin: Sendable, Equatable, Codable {
    /// The VM account (Unix user name).
    public var account: String
    /// The OpenSSH public key line: `TYPE BASE64 [COMMENT]`, without options.
    public var publicKey: String
    public var expiry: Date

    enum CodingKeys: String, CodingKey { case account, publicKey = "public_key", expiry }

    public init(account: String, publicKey: String, expiry: Date) {
        self.account = account
        self.publicKey = publicKey
        self.expiry = expiry
    }

    static let keyTypes: Set<String> = [
        "ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ]

    /// The key type and base64 blob.
    public var keyFields: (type: String, blob: String)? {
        let fields = publicKey.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 2 else { return nil }
        return (String(fields[0]), String(fields[1]))
    }

    public func validate() throws(AgentError) {
        let accountOK = !account.isEmpty && account.count <= 32
            && account.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "_" || $0 == "-" || $0 == "." }
            && !account.hasPrefix("-") && !account.hasPrefix(".")
        guard accountOK else { throw AgentError(.invalidLogin, "`\(account)` is not a valid account name") }
        guard !publicKey.contains("\n"), !publicKey.contains("\r"), let fields = keyFields,
              Self.keyTypes.contains(fields.type), Data(base64Encoded: fields.blob) != nil else {
            throw AgentError(.invalidLogin, "the key for `\(account)` is not a plain OpenSSH public key line")
        }
    }

    /// The authorized_keys line, with OpenSSH's `expiry-time` as a second line of defence.
    /// The time is in UTC (`Z`) and rounded up to the minute: the agent itself removes the
    /// key at the exact second.
    public var authorizedKeysLine: String {
        let seconds = expiry.timeIntervalSince1970
        let minute = Date(timeIntervalSince1970: (seconds / 60).rounded(.up) * 60)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmm"
        let fields = keyFields.map { "\($0.type) \($0.blob)" } ?? publicKey
        return "expiry-time=\"\(formatter.string(from: minute))Z\" \(fields) vpxi-agent:\(account)"
    }
}
