/// The checks on names and free text that end up in files, paths, shell scripts, XML and
/// zone files: what they may contain, so that no value can break out of its place.
enum PlanText {
    /// 1 to 63 characters of `A-Z a-z 0-9 . _ -`, starting with a letter or a digit, not
    /// ending with a dot nor holding two in a row (the dots separate DNS labels).
    static func isName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...63).contains(bytes.count), isAlnum(bytes[0]), bytes.last != UInt8(ascii: "."), !text.contains("..") else { return false }
        return bytes.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    static func isAlnum(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// Printable text on one line: no control characters (tabs and newlines included), at
    /// most `limit` bytes.
    static func isLine(_ text: String, limit: Int = 4096) -> Bool {
        let bytes = text.utf8
        return !bytes.isEmpty && bytes.count <= limit && bytes.allSatisfy { $0 >= 0x20 && $0 != 0x7F }
    }

    /// An absolute path of printable characters without quotes, backslashes, commas or
    /// `..` components (it goes into libvirt XML and `xl` disk specifications).
    static func isPath(_ text: String) -> Bool {
        guard text.hasPrefix("/"), isLine(text, limit: 1024) else { return false }
        let forbidden: Set<Character> = ["\"", "'", "\\", ",", "=", " ", "<", ">", "&", "$", "`"]
        guard !text.contains(where: { forbidden.contains($0) }) else { return false }
        return !text.split(separator: "/").contains("..")
    }

    /// An OpenSSH public key line: `TYPE BASE64 [COMMENT]` on one line, TYPE one of the
    /// key types OpenSSH accepts in `authorized_keys`, and no options before it.
    static func isSSHPublicKey(_ text: String) -> Bool {
        // One pass over the contiguous UTF-8 bytes (a registrar checks every login's line
        // at every epoch): `isLine`, and where the first space is.
        var text = text
        return text.withUTF8 { bytes -> Bool in
            guard !bytes.isEmpty, bytes.count <= 16384 else { return false }
            var space = -1
            for index in bytes.indices {
                let c = bytes[index]
                if c < 0x20 || c == 0x7F { return false }
                if c == 0x20 && space < 0 { space = index }
            }
            // `TYPE BASE64 [COMMENT]`: the type before the first space, the key up to the next.
            guard space > 0, sshKeyTypes.contains(String(decoding: UnsafeBufferPointer(rebasing: bytes[..<space]), as: UTF8.self)) else {
                return false
            }
            var index = space + 1
            while index < bytes.count, bytes[index] != 0x20 {
                let c = bytes[index]
                guard isAlnum(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "/") || c == UInt8(ascii: "=") else { return false }
                index += 1
            }
            return index > space + 1
        }
    }

    /// The key types OpenSSH accepts in `authorized_keys`.
    static let sshKeyTypes: Set<String> = [
        "ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ]

    /// A Linux interface name: 1 to 15 characters of `A-Z a-z 0-9 . _ -`.
    static func isInterfaceName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return (1...15).contains(bytes.count)
            && bytes.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }
}
