import ArgumentParser
import Backends
import RSA
import SExpr
import ToolSupport

struct KeyShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a key's algorithm, size, fingerprint, principal hash and HIT.",
        discussion: """
            The fingerprint is the SHA-256 of the canonical public key \
            (public-key (rsa-pkcs1-sha256 (n N) (e E))): the same for one key in every file \
            format. The principal is the (hash sha256 ...) of the public key S-expression as \
            it was read: what certificates name. The HIT is the key's HIP Host Identity Tag \
            (ORCHIDv2, RFC 7401 and RFC 7343): what the overlay addresses a VM by. No key \
            material is printed.

            Example:
              spki key show alice.pub
            """)

    @Argument(help: "Key file, or - for standard input.")
    var file: String = "-"

    func run() throws {
        try CommandRunner.run {
            let key = try KeyInput.load(file)
            KeyInput.warnLegacy(key: key, path: InputReader.displayName(file))
            var lines = [
                "algorithm: \(key.algorithm)",
                "bits: \(key.publicKey.bitLength)",
                "exponent: \(key.publicKey.exponentValue.map(String.init) ?? "(more than 64 bits)")",
                "kind: \(key.isPrivate ? "private key" : "public key")",
                "format: \(key.format.rawValue)",
                "fingerprint: sha256:\(Hex.encode(key.fingerprint))",
                "principal: \(key.principalHash().advanced(width: 0))",
                "hit: \(HIT(rsa: key.publicKey))",
            ]
            if let comment = key.comment { lines.append("comment: \(comment)") }
            Console.out(lines.joined(separator: "\n") + "\n")
        }
    }
}
