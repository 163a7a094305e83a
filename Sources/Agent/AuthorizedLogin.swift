import Foundation

/// Who may log into which account with which SSH key, until when (after the chain was
/// checked by whoever builds the value: the agent enforces, it does not re-decide).
public struct AuthorizedLogin: Sendable, Equatable, Codable {
    /// The VM whose accounts it is about (from a bundle), or nil for the agent's own
    /// machine: its authorized_keys file is `DIR/VM/ACCOUNT`, or `DIR/ACCOUNT`.
    public var vm: String?
    /// The VM account (Unix user name).
    public var account: String
    /// The OpenSSH public key line: `TYPE BASE64 [COMMENT]`, without options.
    public var publicKey: String
    public var expiry: Date

    enum CodingKeys: String, CodingKey { case vm, account, publicKey = "public_key", expiry }

    public init(vm: String? = nil, account: String, publicKey: String, expiry: Date) {
        self.vm = vm
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

    /// Whether `name` is safe as one path component: 1 to 63 characters of `A-Z a-z 0-9 . _ -`,
    /// starting with a letter or a digit (the bundle's rule for VM names).
    public static func isSafeVMName(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        func isAlphanumeric(_ c: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
        }
        guard let first = scalars.first, scalars.count <= 63, isAlphanumeric(first) else { return false }
        return scalars.allSatisfy { isAlphanumeric($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }

    public func validate() throws(AgentError) {
        let accountOK = !account.isEmpty && account.count <= 32
            && account.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "_" || $0 == "-" || $0 == "." }
            && !account.hasPrefix("-") && !account.hasPrefix(".")
        guard accountOK else { throw AgentError(.invalidLogin, "`\(account)` is not a valid account name") }
        if let vm, !Self.isSafeVMName(vm) { throw AgentError(.invalidLogin, "`\(vm)` is not a valid VM name") }
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
