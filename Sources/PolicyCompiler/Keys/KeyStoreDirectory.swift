#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RSA
import SPKI
import ToolSupport

/// Private (and public) keys by principal name, in one or more directories (`--keys DIR`,
/// searched in order). See `PrincipalName` for the layout. Generated keys go to the first
/// directory.
public struct KeyStoreDirectory: Sendable {
    /// What the store holds for a principal.
    public enum Entry: Sendable {
        /// A private key (the public key comes with it).
        case privateKey(RSAKeyFile, path: String)
        /// Only the public key: certificates it issues are written as pending requests.
        case publicKey(RSAKeyFile, path: String)
    }

    /// A key that cannot be used.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let message: String
        public var description: String { "`\(path)`: \(message)" }
    }

    public let directories: [String]

    public init(directories: [String]) {
        self.directories = directories
    }

    /// Refuses a `--keys` path that is a file, not a folder (every look-up in it would
    /// miss, and the run would report every key as missing instead).
    public func checkFolders() throws(Failure) {
        for directory in directories where FileSystem.exists(directory) && !FileSystem.isDirectory(directory) {
            throw Failure(path: directory, message: "is a file, not a folder: --keys names a folder holding the keys (`NAME.key`, `NAME.pub`)")
        }
    }

    /// What to add to a "has no key" message: the folders given that do not exist.
    public var absentFoldersNote: String {
        let absent = directories.filter { !FileSystem.exists($0) }
        guard !absent.isEmpty else { return "" }
        return " (" + absent.map { "`\($0)`" }.joined(separator: ", ") + (absent.count == 1 ? " does" : " do") + " not exist)"
    }

    /// The key of `name`: the first `NAME.key`, else the first `NAME.pub`, in the
    /// directories in order; nil when there is neither.
    public func entry(for name: PrincipalName) throws(Failure) -> Entry? {
        for directory in directories {
            let path = "\(directory)/\(name.storePath).key"
            if FileSystem.exists(path) { return .privateKey(try load(path, private: true), path: path) }
        }
        for directory in directories {
            let path = "\(directory)/\(name.storePath).pub"
            if FileSystem.exists(path) { return .publicKey(try load(path, private: false), path: path) }
        }
        return nil
    }

    private func load(_ path: String, private wantsPrivate: Bool) throws(Failure) -> RSAKeyFile {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path)
        } catch {
            throw Failure(path: path, message: "cannot be read: \(error.reason)")
        }
        let file: RSAKeyFile
        do {
            file = try RSAKeyFile.load(bytes)
        } catch {
            throw Failure(path: path, message: "is not a usable key: \(error.message)")
        }
        if wantsPrivate, !file.isPrivate {
            throw Failure(path: path, message: "holds a public key, where the private key is expected (`.pub` files hold public keys)")
        }
        return file
    }

    /// Generates an RSA-2048 key for `name` in the first directory: `NAME.key` (0600) and
    /// `NAME.pub`, each written atomically.
    public func generate(_ name: PrincipalName) throws(Failure) -> RSAKeyFile {
        guard let directory = directories.first else {
            throw Failure(path: name.storePath, message: "no key store directory to write to (give --keys DIR)")
        }
        let base = "\(directory)/\(name.storePath)"
        do {
            // The store's parents as usual, the store and its vpxi folders private.
            try FileSystem.makeDirectories(AtomicFileName.directory(of: directory), mode: 0o755)
            try FileSystem.makeDirectories(AtomicFileName.directory(of: base), mode: 0o700)
            let key = RSAKeyFile(privateKey: try RSAKeyGenerator.generate(bits: 2048))
            try AtomicFile.write(key.privateKeyBytes(.sexp)!, to: base + ".key", mode: 0o600)
            try AtomicFile.write(key.publicKeyBytes(.sexp), to: base + ".pub", mode: 0o644)
            return key
        } catch let error as FileError {
            throw Failure(path: base + ".key", message: error.description)
        } catch {
            throw Failure(path: base + ".key", message: "cannot generate a key: \(error)")
        }
    }
}
