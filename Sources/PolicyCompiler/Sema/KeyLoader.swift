import Hashing
import PolicyLanguage
import RSA
import SExpr
import SPKI

/// Loads the public keys a policy names (`key "keys/alice.pub"`, `key inline "..."`):
/// SPKI S-expressions, PEM or DER, and OpenSSH public key lines. RSA keys of every form;
/// `ssh-ed25519` keys too, as principals that can receive certificates but not sign them
/// (written `(public-key (ecc (curve Ed25519) (flags eddsa) (q |40 ...|)))`, libgcrypt's
/// form). File access is injected.
public struct KeyLoader: Sendable {
    public enum Failure: Error, Sendable, Equatable {
        /// The file could not be read.
        case unreadable(path: String, reason: String)
        /// The bytes are not a usable public key.
        case invalid(message: String, help: String)
    }

    public typealias Reader = @Sendable (String) -> Result<[UInt8], PolicyLoader.ReadFailure>

    private let read: Reader

    public init(read: @escaping Reader) {
        self.read = read
    }

    /// The key of `reference`, a path taken relative to `policyPath` (the file that
    /// declares it).
    public func load(_ reference: KeyReference, policyPath: String) -> Result<PublicKeyInfo, Failure> {
        let bytes: [UInt8]
        let origin: String
        if reference.isInline {
            bytes = Array(reference.text.value.utf8)
            origin = "inline"
        } else {
            let path = policyPath == PolicyLoader.standardInputName
                ? reference.text.value : PolicyLoader.resolve(reference.text.value, relativeTo: policyPath)
            switch read(path) {
            case .failure(let failure): return .failure(.unreadable(path: path, reason: failure.reason))
            case .success(let read): bytes = read
            }
            origin = reference.text.value
        }
        do {
            return .success(try Self.decode(bytes, format: reference.format, origin: origin))
        } catch {
            return .failure(error)
        }
    }

    /// Decodes a public key in `format` (or any, for `.detect`).
    public static func decode(_ bytes: [UInt8], format: KeyReference.Format, origin: String) throws(Failure) -> PublicKeyInfo {
        let detected = detect(bytes)
        if format != .detect, let detected, detected != format {
            throw .invalid(message: "the key is declared `\(format.rawValue)` but is written as \(describe(detected))",
                           help: "write `key \(detected.rawValue) ...`, or leave the format out to have it detected")
        }
        if detected == .openssh, let line = String(validating: bytes, as: UTF8.self),
           line.drop(while: { $0.isWhitespace }).hasPrefix("ssh-ed25519") {
            return try ed25519(line: line, origin: origin)
        }
        let file: RSAKeyFile
        do {
            file = try RSAKeyFile.load(bytes)
        } catch {
            throw .invalid(message: error.message, help: error.help ?? "give a public key: an SPKI S-expression, a PEM `PUBLIC KEY` or an OpenSSH line")
        }
        if file.isPrivate {
            throw .invalid(message: "the file holds a private key (\(file.format.rawValue)); a policy names principals by their public keys",
                           help: "give the public half (`spki key convert --public`), and keep the private key out of the policy's files")
        }
        let sshLine = detected == .openssh ? String(decoding: bytes, as: UTF8.self).trimmingCharacters() : nil
        return PublicKeyInfo(principal: Principal(key: file), rsa: file.publicKey, algorithm: "rsa-\(file.publicKey.bitLength)",
                             sshLine: sshLine, origin: origin)
    }

    static func detect(_ bytes: [UInt8]) -> KeyReference.Format? {
        if PEMArmor.looksLikePEM(bytes) { return .pem }
        if RSAOpenSSH.looksLikePublicKey(bytes) { return .openssh }
        guard let first = bytes.first(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }) else { return nil }
        if first == UInt8(ascii: "(") || first == UInt8(ascii: "{") || first == UInt8(ascii: "[") || (first >= 0x30 && first <= 0x39) {
            return .spki
        }
        return nil
    }

    static func describe(_ format: KeyReference.Format) -> String {
        switch format {
        case .detect: return "an unknown format"
        case .spki: return "an SPKI S-expression"
        case .pem: return "PEM"
        case .openssh: return "an OpenSSH public key line"
        }
    }

    /// An `ssh-ed25519 BASE64 [comment]` line.
    static func ed25519(line: String, origin: String) throws(Failure) -> PublicKeyInfo {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        let bad = Failure.invalid(message: "the `ssh-ed25519` key line is malformed",
                                  help: "copy the whole line from the `.pub` file: `ssh-ed25519 AAAA... comment`")
        guard fields.count >= 2, let blob = Base64.decode(String(fields[1])) else { throw bad }
        // string "ssh-ed25519", string key (32 bytes)
        var offset = 0
        func string() -> [UInt8]? {
            guard blob.count - offset >= 4 else { return nil }
            let length = blob[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            offset += 4
            guard blob.count - offset >= length else { return nil }
            defer { offset += length }
            return Array(blob[offset..<offset + length])
        }
        guard string() == Array("ssh-ed25519".utf8), let q = string(), q.count == 32, offset == blob.count else { throw bad }
        let sexp: SExpr = ["public-key", ["ecc", ["curve", "Ed25519"], ["flags", "eddsa"], ["q", .bytes([0x40] + q)]]]
        let principal: Principal
        do {
            principal = try Principal(parsing: sexp)
        } catch {
            throw bad
        }
        return PublicKeyInfo(principal: principal, rsa: nil, algorithm: "ssh-ed25519",
                             sshLine: line.trimmingCharacters(), origin: origin)
    }
}

extension String {
    /// Without leading and trailing blanks and line ends.
    func trimmingCharacters() -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(self[first...last])
    }
}
