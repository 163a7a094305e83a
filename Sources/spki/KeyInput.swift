import Hashing
import RSA
import SExpr
import ToolSupport

/// Reading keys and reporting RSA errors for the key, sign and verify commands.
enum KeyInput {
    /// Reads and decodes a key file in any supported format.
    static func load(_ path: String) throws -> RSAKeyFile {
        let bytes = try InputReader.read(path, limit: 1 << 20)
        do {
            return try RSAKeyFile.load(bytes)
        } catch {
            throw failure(error, in: InputReader.displayName(path))
        }
    }

    /// An RSA error as a command failure: exit 1 for "the signature is not valid", 2 for
    /// everything else (malformed or unusable input). `place` says which input it concerns.
    static func failure(_ error: RSAError, in place: String) -> CommandFailure {
        var message = "\(place): \(error.message) [\(error.code.rawValue)]"
        if let help = error.help { message += "\n  help: \(help)" }
        return CommandFailure(error.isVerificationFailure ? .refused : .badInput, message)
    }

    /// Parses exactly one S-expression, reporting `file:line:col` on error.
    static func parseOne(_ bytes: [UInt8], name: String) throws -> SExpr {
        do {
            return try SExpr.parse(bytes)
        } catch {
            throw CommandFailure(.badInput, "\(name):\(error.line):\(error.column): \(error.message) (offset \(error.offset), \(error.code.rawValue))")
        }
    }

    /// Warnings about legacy parameters, printed before a result.
    static func warnLegacy(key: RSAKeyFile, path: String, hash: HashAlgorithm? = nil) {
        if key.publicKey.isLegacySize {
            Console.err("warning: \(path): the key has \(key.publicKey.bitLength) bits; keys under 2048 bits are accepted only to verify legacy objects")
        }
        if let hash, hash.isLegacy {
            Console.err("warning: \(hash.rawValue) is broken for collision resistance; accepted only for legacy objects")
        }
    }

    /// A hash algorithm named on the command line.
    static func hash(_ name: String) throws -> HashAlgorithm {
        guard let algorithm = HashAlgorithm(name: name) else {
            let known = HashAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")
            throw CommandFailure(.badInput, "unknown hash algorithm `\(name)`; use one of \(known)")
        }
        return algorithm
    }
}
