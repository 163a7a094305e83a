import Hashing
import SExpr
import SPKI

/// `manifest.sexp`: every other file of a bundle with its size, mode and SHA-256, the host
/// it is for (name and key), the registrar that signs it, and the time of compilation.
/// `manifest.sig` holds the registrar's SPKI signature of it. Both files are in canonical
/// form (`spki convert` shows them readably): the bytes on disk are the bytes signed.
///
///     (bundle-manifest (version 1)
///       (host "h1" (public-key …)) (registrar "lyon" (public-key …))
///       (generated "2026-12-01_08:00:00")
///       (file "esp.sexp" (size 5120) (mode "0644") (hash sha256 |…|)) …)
public struct BundleManifest: Sendable {
    public static let fileName = "manifest.sexp"
    public static let signatureFileName = "manifest.sig"

    public struct Entry: Hashable, Sendable {
        public var path: String
        public var size: Int
        public var mode: UInt32
        public var sha256: [UInt8]
    }

    public var host: String
    public var hostKey: SExpr
    public var registrar: String
    public var registrarKey: SExpr
    public var generatedAt: SPKIDate
    /// Sorted by path.
    public var entries: [Entry]

    public init(host: String, hostKey: SExpr, registrar: String, registrarKey: SExpr, generatedAt: SPKIDate, files: [BundleFile]) {
        self.host = host
        self.hostKey = hostKey
        self.registrar = registrar
        self.registrarKey = registrarKey
        self.generatedAt = generatedAt
        entries = files.map { Entry(path: $0.path, size: $0.bytes.count, mode: $0.mode, sha256: HashAlgorithm.sha256.digest($0.bytes)) }
            .sorted { $0.path < $1.path }
    }

    /// A manifest of `entries` (each file's digest worked out by the caller; sorted here).
    init(host: String, hostKey: SExpr, registrar: String, registrarKey: SExpr, generatedAt: SPKIDate, entries: [Entry]) {
        self.host = host
        self.hostKey = hostKey
        self.registrar = registrar
        self.registrarKey = registrarKey
        self.generatedAt = generatedAt
        self.entries = entries.sorted { $0.path < $1.path }
    }

    public var sexp: SExpr {
        var items: [SExpr] = [
            "bundle-manifest",
            ["version", "1"],
            ["host", .string(host), hostKey],
            ["registrar", .string(registrar), registrarKey],
            ["generated", .string(generatedAt.description)],
        ]
        for entry in entries {
            items.append(["file", .string(entry.path), ["size", .string(String(entry.size))],
                          ["mode", .string("0" + String(entry.mode, radix: 8))], ["hash", "sha256", .bytes(entry.sha256)]])
        }
        return .list(items)
    }

    /// Reads a manifest; anything unexpected is `manifestMalformed`.
    public init(parsing value: SExpr) throws(BackendsError) {
        func malformed(_ what: String) -> BackendsError {
            BackendsError(.manifestMalformed, "the bundle manifest is malformed: \(what)")
        }
        guard value.head == "bundle-manifest" else { throw malformed("it is not a `(bundle-manifest …)`") }
        var host: (String, SExpr)?, registrar: (String, SExpr)?, generated: SPKIDate?, version: String?
        var entries: [Entry] = []
        for item in value.tail {
            let parts = Array(item.tail)
            switch item.head {
            case "version":
                guard version == nil, parts.count == 1, let text = parts[0].text else { throw malformed("bad `(version …)`") }
                version = text
            case "host", "registrar":
                guard parts.count == 2, let name = parts[0].text, parts[1].head == "public-key" else {
                    throw malformed("`(\(item.head!) NAME (public-key …))` expected")
                }
                if item.head == "host" {
                    guard host == nil else { throw malformed("two `(host …)`") }
                    host = (name, parts[1])
                } else {
                    guard registrar == nil else { throw malformed("two `(registrar …)`") }
                    registrar = (name, parts[1])
                }
            case "generated":
                guard generated == nil, parts.count == 1, let bytes = parts[0].atomBytes,
                      let date = try? SPKIDate.parse(spki: bytes).date else { throw malformed("bad `(generated …)`") }
                generated = date
            case "file":
                entries.append(try Self.entry(parts, malformed: malformed))
            default:
                throw malformed("unknown member `\(item.head ?? "?")`")
            }
        }
        guard version == "1" else { throw malformed("version \(version ?? "missing"), not 1") }
        guard let host, let registrar, let generated else { throw malformed("`host`, `registrar` or `generated` is missing") }
        guard entries.map(\.path) == entries.map(\.path).sorted(), Set(entries.map(\.path)).count == entries.count else {
            throw malformed("files are not listed once each in path order")
        }
        self.host = host.0
        hostKey = host.1
        self.registrar = registrar.0
        registrarKey = registrar.1
        generatedAt = generated
        self.entries = entries
    }

    private static func entry(_ parts: [SExpr], malformed: (String) -> BackendsError) throws(BackendsError) -> Entry {
        guard parts.count == 4, let path = parts[0].text, BundleFile.isSafe(path),
              path != fileName, path != signatureFileName else { throw malformed("bad `(file PATH …)`") }
        guard parts[1].head == "size", parts[1].tail.count == 1, let sizeText = parts[1].tail.first?.text,
              let size = Int(sizeText), size >= 0 else { throw malformed("bad size of `\(path)`") }
        guard parts[2].head == "mode", parts[2].tail.count == 1, let modeText = parts[2].tail.first?.text,
              let mode = UInt32(modeText, radix: 8), mode <= 0o777 else { throw malformed("bad mode of `\(path)`") }
        let hash = Array(parts[3].tail)
        guard parts[3].head == "hash", hash.count == 2, hash[0].text == "sha256", let digest = hash[1].atomBytes,
              digest.count == 32 else { throw malformed("bad hash of `\(path)`") }
        return Entry(path: path, size: size, mode: mode, sha256: digest)
    }
}
