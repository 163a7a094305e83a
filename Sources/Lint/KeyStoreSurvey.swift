#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Diagnostics
import PolicyCompiler
import RSA

/// What the key store (`--keys DIR`) holds for the principals of a policy: each key file
/// found, its permissions, size and algorithm. The file access of the linter, kept here.
public struct KeyStoreSurvey: Sendable {
    public struct Entry: Sendable, Hashable {
        public var name: PrincipalName
        public var path: String
        /// The permission bits of the file.
        public var mode: UInt32
        public var isPrivate: Bool
        public var bits: Int
        /// The algorithm word of an S-expression key (`rsa-pkcs1-sha256`), or the format's.
        public var algorithm: String
        /// The declaration of the principal in the policy (for a machine: its node or cluster).
        public var declaration: SourceRange
    }

    /// A key file that could not be read or decoded.
    public struct Failure: Error, Sendable, Hashable {
        public var path: String
        public var message: String
    }

    public let directories: [String]
    public var entries: [Entry] = []
    public var failures: [Failure] = []

    /// Looks up every principal of `model` in the directories (`NAME.key`, `NAME.pub`,
    /// `VPXI/MACHINE.key` ...). A policy whose principals have no keys there gives an
    /// empty survey, not an error.
    public static func survey(_ model: PolicyModel, directories: [String]) -> KeyStoreSurvey {
        var survey = KeyStoreSurvey(directories: directories)
        var principals: [(PrincipalName, SourceRange)] = model.registrars.map { (.registrar($0.name), $0.range) }
        principals += model.users.map { (.user($0.name), $0.range) }
        principals += model.hosts.map { (.host($0.name), $0.range) }
        for vpxi in model.vpxis {
            principals += vpxi.machines.map { (.machine(vpxi: vpxi.name, machine: $0.name), $0.range) }
        }
        var seen = Set<String>()
        for (name, declaration) in principals {
            for directory in directories {
                for suffix in [".key", ".pub"] {
                    let path = "\(directory)/\(name.storePath)\(suffix)"
                    guard seen.insert(path).inserted, let mode = mode(of: path) else { continue }
                    switch load(path) {
                    case .success(let file):
                        survey.entries.append(Entry(name: name, path: path, mode: mode, isPrivate: file.isPrivate,
                                                    bits: file.publicKey.bitLength, algorithm: file.algorithm, declaration: declaration))
                    case .failure(let failure):
                        survey.failures.append(failure)
                    }
                }
            }
        }
        return survey
    }

    static func mode(of path: String) -> UInt32? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return UInt32(info.st_mode) & 0o7777
    }

    static func load(_ path: String) -> Result<RSAKeyFile, Failure> {
        guard let handle = fopen(path, "rb") else {
            return .failure(Failure(path: path, message: "cannot be read: \(String(cString: strerror(errno)))"))
        }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&buffer, 1, buffer.count, handle)
            if count > 0 { bytes += buffer[0..<count] }
            if count < buffer.count { break }
            if bytes.count > 1 << 20 { return .failure(Failure(path: path, message: "is larger than 1 MiB: not a key")) }
        }
        defer { for index in bytes.indices { bytes[index] = 0 } }
        do throws(RSAError) {
            return .success(try RSAKeyFile.load(bytes))
        } catch {
            return .failure(Failure(path: path, message: "is not a usable key: \(error.message)"))
        }
    }
}
