#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Backends
import RSA
import ToolSupport

/// The keys the bundles need beyond the compiler's own: each host's key (ESP keys are
/// wrapped to it, and its manifest names it) and the ESP master secret from which every
/// ESP key is derived. The registrars' private keys, which sign the manifests, are the
/// compiler's (`ResolvedKeys.signers`).
///
/// The key store holds them by name: a host's key as `HOST.key` or `HOST.pub` (the public
/// key is enough), the secret as `esp-master.secret`, 32 random bytes, mode 0600.
public struct NodeKeys: Sendable {
    /// The file name of the ESP master secret in a key store directory.
    public static let secretFileName = "esp-master.secret"

    /// For each host of the model, its public key.
    public var hosts: [RSAPublicKey]
    /// The ESP master secret (never printed; `BundleSecrets` redacts it).
    public var secrets: BundleSecrets
    /// What this run generated in the key store (host keys, the secret), for the summary.
    public var generated: [String]

    public init(hosts: [RSAPublicKey], secrets: BundleSecrets, generated: [String] = []) {
        self.hosts = hosts
        self.secrets = secrets
        self.generated = generated
    }

    /// Loads the host keys and the secret of `ir`'s policy from `store`; with
    /// `generateMissing`, makes the missing ones in the store's first directory (host keys
    /// as RSA-2048 like machine keys, the secret with `BundleSecrets.generate()`).
    public static func load(_ ir: InfrastructureIR, store: KeyStoreDirectory, generateMissing: Bool) throws(NodePlanningError) -> NodeKeys {
        let model = ir.model
        var hosts = [RSAPublicKey?](repeating: nil, count: model.hosts.count)
        var missing: [Int] = []
        for (index, host) in model.hosts.enumerated() {
            // The IR's (resolved from the same store, usually), else the store's.
            var found = ir.keys.hosts[index]
            if found == nil {
                do {
                    found = try store.entry(for: .host(host.name)).map { ResolvedKeys.info($0, origin: host.name) }
                } catch {
                    throw NodePlanningError(.cannotRead, "the key of host `\(host.name)` cannot be used: \(error)", at: host.range)
                }
            }
            if let key = found {
                guard let rsa = key.rsa else {
                    throw NodePlanningError(.hostKeyMissing, "the key of host `\(host.name)` (\(key.origin)) is not an RSA key",
                                            help: "give the host an RSA key of 2048 bits or more", at: host.range)
                }
                hosts[index] = rsa
            } else {
                missing.append(index)
            }
        }
        var generated: [String] = []
        if !missing.isEmpty {
            guard generateMissing else {
                let names = missing.prefix(3).map { "`\(model.hosts[$0].name)`" }.joined(separator: ", ")
                    + (missing.count > 3 ? " and \(missing.count - 3) more" : "")
                let first = store.directories.first ?? "DIR"
                throw NodePlanningError(.hostKeyMissing,
                    "the key store has no key for \(missing.count) host\(missing.count == 1 ? "" : "s") (\(names)): each bundle's ESP keys are wrapped to its host's key",
                    help: "put each host's key at `\(first)/HOST.key` (or its public key at `HOST.pub`), or pass --generate-missing-keys",
                    at: model.hosts[missing[0]].range)
            }
            let names = missing.map { PrincipalName.host(model.hosts[$0].name) }
            let results = Parallel.map(names.count, chunk: 4) { range -> [Result<RSAKeyFile, KeyStoreDirectory.Failure>] in
                range.map { index in Result { () throws(KeyStoreDirectory.Failure) in try store.generate(names[index]) } }
            }.flatMap { $0 }
            for (position, result) in results.enumerated() {
                switch result {
                case .success(let file):
                    hosts[missing[position]] = file.publicKey
                    generated.append(names[position].storePath + ".key")
                case .failure(let failure):
                    throw NodePlanningError(.cannotWrite, "cannot generate the key of host `\(names[position].storePath)`: \(failure)")
                }
            }
        }
        let (secret, made) = try loadSecret(store: store, generateMissing: generateMissing)
        if made { generated.append(secretFileName) }
        let secrets: BundleSecrets
        do {
            secrets = try BundleSecrets(espMasterKey: secret)
        } catch {
            throw NodePlanningError(error)
        }
        return NodeKeys(hosts: hosts.map { $0! }, secrets: secrets, generated: generated)
    }

    /// The secret: the first `esp-master.secret` of the store's directories; generated in
    /// the first one when there is none and `generateMissing`. True when it was generated.
    static func loadSecret(store: KeyStoreDirectory, generateMissing: Bool) throws(NodePlanningError) -> ([UInt8], Bool) {
        for directory in store.directories {
            let path = directory + "/" + secretFileName
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                throw NodePlanningError(.invalidSecret, "`\(path)` is not a regular file", help: "it must hold the 32 bytes of the ESP master secret")
            }
            guard info.st_mode & 0o077 == 0 else {
                throw NodePlanningError(.invalidSecret, "`\(path)` can be read by other users (mode \(String(info.st_mode & 0o777, radix: 8)))",
                                        help: "it holds the secret every ESP key comes from: `chmod 600 \(path)`, and consider the keys exposed")
            }
            let bytes: [UInt8]
            do {
                bytes = try InputReader.read(path, limit: 4096)
            } catch {
                throw NodePlanningError(.cannotRead, "cannot read the ESP master secret `\(path)`: \(error.reason)")
            }
            guard bytes.count >= BundleSecrets.minimumLength else {
                throw NodePlanningError(.invalidSecret, "the ESP master secret `\(path)` has \(bytes.count) bytes, fewer than \(BundleSecrets.minimumLength)",
                                        help: "it must hold 32 random bytes: remove it and run again with --generate-missing-keys (every ESP key changes)")
            }
            return (bytes, false)
        }
        guard let first = store.directories.first else {
            throw NodePlanningError(.invalidSecret, "no key store to hold the ESP master secret", help: "give --keys DIR")
        }
        let path = first + "/" + secretFileName
        guard generateMissing else {
            throw NodePlanningError(.invalidSecret, "the key store has no ESP master secret (`\(path)`): every ESP key of the bundles is derived from it",
                                    help: "pass --generate-missing-keys to create it (32 random bytes, mode 0600), or copy the registrar's existing one there")
        }
        let secret = BundleSecrets.generate()
        do {
            try makePrivateDirectories(first)
            try AtomicFile.write(secret, to: path, mode: 0o600)
        } catch {
            throw NodePlanningError(.cannotWrite, "cannot write the ESP master secret: \(error)")
        }
        return (secret, true)
    }

    /// Creates `path` and its missing parents, the last one private (0700), as the key store does.
    static func makePrivateDirectories(_ path: String) throws(FileError) {
        var info = stat()
        if path.isEmpty || stat(path, &info) == 0 { return }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            let parent = String(path[..<slash])
            if stat(parent, &info) != 0 {
                try makePrivateDirectories(parent)
                chmod(parent, 0o755)
            }
        }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw FileError(code: .cannotCreate, path: path, reason: String(cString: strerror(errno)))
        }
    }
}
