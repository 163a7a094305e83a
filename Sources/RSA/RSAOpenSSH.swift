import BigNum
import SExpr

/// OpenSSH RSA keys: `ssh-rsa AAAA... comment` public keys (RFC 4253 §6.6) and
/// unencrypted `openssh-key-v1` private keys (OpenSSH's PROTOCOL.key).
public enum RSAOpenSSH {
    static let keyType = "ssh-rsa"
    static let magic = Array("openssh-key-v1\0".utf8)
    static let armorLabel = "OPENSSH PRIVATE KEY"

    // MARK: Public keys

    /// Whether `bytes` looks like an `ssh-rsa` public key line (or another SSH key type).
    public static func looksLikePublicKey(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes.prefix(64), as: UTF8.self).drop { $0.isWhitespace }
        return text.hasPrefix("ssh-") || text.hasPrefix("ecdsa-") || text.hasPrefix("sk-")
    }

    /// Reads an `ssh-rsa BASE64 [comment]` line; returns the key and the comment.
    public static func publicKey(line bytes: [UInt8]) throws(RSAError) -> (RSAPublicKey, String?) {
        let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
        let fields = text.split(maxSplits: 2, whereSeparator: { $0 == " " || $0 == "\t" })
        guard let type = fields.first else {
            throw RSAError(.sshMalformed, "the SSH public key line is empty")
        }
        guard type == keyType else {
            throw RSAError(.unsupportedAlgorithm, "the SSH key type is `\(type)`, not `ssh-rsa`", help: RSAError.onlyRSAHelp)
        }
        guard fields.count >= 2 else {
            throw RSAError(.sshMalformed, "the `ssh-rsa` line has no key data after the type", help: "copy the whole line from the .pub file")
        }
        guard let blob = Base64.decode(String(fields[1])) else {
            throw RSAError(.sshMalformed, "the key data of the `ssh-rsa` line is not valid base64", help: "copy the whole line from the .pub file")
        }
        var reader = SSHReader(blob, what: "SSH public key")
        let blobType = try reader.string()
        guard blobType == Array(keyType.utf8) else {
            throw RSAError(.sshMalformed, "the SSH key data is for `\(String(decoding: blobType, as: UTF8.self))`, but the line says `ssh-rsa`")
        }
        let e = try reader.mpint("e", secret: false)
        let n = try reader.mpint("n", secret: false)
        try reader.finish()
        let comment = fields.count == 3 ? String(fields[2]) : nil
        return (try RSAPublicKey(n: n, e: e), comment)
    }

    /// The public key blob: string "ssh-rsa", mpint e, mpint n.
    static func blob(_ key: RSAPublicKey) -> [UInt8] {
        var writer = SSHWriter()
        writer.string(Array(keyType.utf8))
        writer.mpint(key.e)
        writer.mpint(key.n)
        return writer.bytes
    }

    /// `ssh-rsa BASE64 comment\n`.
    public static func publicKeyLine(_ key: RSAPublicKey, comment: String? = nil) -> String {
        var line = "\(keyType) \(Base64.encode(blob(key)))"
        if let comment, !comment.isEmpty { line += " \(comment)" }
        return line + "\n"
    }

    // MARK: Private keys

    /// Reads the body of an `OPENSSH PRIVATE KEY` PEM block. Encrypted keys are refused
    /// with an explanation.
    public static func privateKey(body: [UInt8]) throws(RSAError) -> (RSAPrivateKey, String?) {
        var reader = SSHReader(body, what: "OpenSSH private key")
        guard body.starts(with: magic) else {
            throw RSAError(.sshMalformed, "the OpenSSH private key does not start with `openssh-key-v1`")
        }
        try reader.skip(magic.count)
        let cipher = String(decoding: try reader.string(), as: UTF8.self)
        let kdf = String(decoding: try reader.string(), as: UTF8.self)
        _ = try reader.string()  // KDF options
        guard cipher == "none", kdf == "none" else {
            throw RSAError(.encryptedKey, "the OpenSSH private key is encrypted with a passphrase (cipher `\(cipher)`, KDF `\(kdf)`)",
                           help: "make an unencrypted copy with `cp KEY plain && ssh-keygen -p -N '' -f plain`, and keep it private")
        }
        let count = try reader.uint32()
        guard count == 1 else {
            throw RSAError(.sshMalformed, "the OpenSSH private key file holds \(count) keys; exactly one is supported")
        }
        _ = try reader.string()  // public key blob, repeated in the private section
        var section = SSHReader(try reader.string(), what: "OpenSSH private key")
        try reader.finish()
        let check1 = try section.uint32(), check2 = try section.uint32()
        guard check1 == check2 else {
            throw RSAError(.sshMalformed, "the check values of the OpenSSH private key differ: the file is corrupt or was decrypted wrongly")
        }
        let type = try section.string()
        guard type == Array(keyType.utf8) else {
            throw RSAError(.unsupportedAlgorithm, "the OpenSSH private key is `\(String(decoding: type, as: UTF8.self))`, not `ssh-rsa`",
                           help: RSAError.onlyRSAHelp)
        }
        let n = try section.mpint("n", secret: false)
        let e = try section.mpint("e", secret: false)
        let d = try section.mpint("d", secret: true)
        let iqmp = try section.mpint("iqmp", secret: true)
        let p = try section.mpint("p", secret: true)
        let q = try section.mpint("q", secret: true)
        let comment = String(decoding: try section.string(), as: UTF8.self)
        try RSAPrivateKey.checkPrimes(p, q)
        let (dP, dQ, _) = try RSAPrivateKey.crtValues(d: d, p: p, q: q)
        let key = try RSAPrivateKey(n: n, e: e, d: d, p: p, q: q, dP: dP, dQ: dQ, qInv: iqmp)
        return (key, comment.isEmpty ? nil : comment)
    }

    /// An unencrypted `OPENSSH PRIVATE KEY` file. Holds key material: write it only to a
    /// private file.
    public static func privateKeyFile(_ key: RSAPrivateKey, comment: String = "") -> String {
        var generator = SystemRandomNumberGenerator()
        let check = UInt32(truncatingIfNeeded: generator.next())
        var section = SSHWriter()
        section.uint32(check)
        section.uint32(check)
        section.string(Array(keyType.utf8))
        for value in [key.n, key.e, key.d, key.qInv, key.p, key.q] { section.mpint(value) }
        section.string(Array(comment.utf8))
        var pad: UInt8 = 1
        while section.bytes.count % 8 != 0 { section.bytes.append(pad); pad += 1 }
        var writer = SSHWriter()
        writer.bytes = magic
        writer.string(Array("none".utf8))
        writer.string(Array("none".utf8))
        writer.string([])
        writer.uint32(1)
        writer.string(blob(key.publicKey))
        writer.string(section.bytes)
        for index in section.bytes.indices { section.bytes[index] = 0 }
        let text = PEMArmor(label: armorLabel, bytes: writer.bytes).text(lineWidth: 70)
        for index in writer.bytes.indices { writer.bytes[index] = 0 }
        return text
    }
}

/// Reads the SSH wire format (RFC 4251 §5): uint32, string, mpint.
struct SSHReader {
    private let bytes: [UInt8]
    private var offset = 0
    private let what: String

    init(_ bytes: [UInt8], what: String) {
        self.bytes = bytes
        self.what = what
    }

    private func truncated() -> RSAError {
        RSAError(.sshMalformed, "the \(what) is truncated at byte \(offset) of \(bytes.count)", help: "copy the whole key file")
    }

    mutating func skip(_ count: Int) throws(RSAError) {
        guard bytes.count - offset >= count else { throw truncated() }
        offset += count
    }

    mutating func uint32() throws(RSAError) -> UInt32 {
        guard bytes.count - offset >= 4 else { throw truncated() }
        let value = bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        offset += 4
        return value
    }

    mutating func string() throws(RSAError) -> [UInt8] {
        let length = Int(try uint32())
        guard bytes.count - offset >= length else { throw truncated() }
        defer { offset += length }
        return Array(bytes[offset..<offset + length])
    }

    mutating func mpint(_ name: String, secret: Bool) throws(RSAError) -> BigNum {
        let value = try string()
        guard value.first.map({ $0 & 0x80 == 0 }) ?? true else {
            throw RSAError(.sshMalformed, "the `\(name)` value of the \(what) is negative")
        }
        return BigNum(twosComplement: value, secret: secret)
    }

    /// For the outer structures: nothing may follow.
    func finish() throws(RSAError) {
        guard offset == bytes.count else {
            throw RSAError(.sshMalformed, "the \(what) has \(bytes.count - offset) unexpected bytes at its end")
        }
    }
}

/// Writes the SSH wire format.
struct SSHWriter {
    var bytes: [UInt8] = []

    mutating func uint32(_ value: UInt32) {
        bytes += [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    mutating func string(_ value: [UInt8]) {
        uint32(UInt32(value.count))
        bytes += value
    }

    mutating func mpint(_ value: BigNum) {
        string(value.isZero ? [] : value.twosComplementBytes)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
