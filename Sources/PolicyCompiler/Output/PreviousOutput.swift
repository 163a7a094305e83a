import RSA
import SExpr
import SPKI

/// What an earlier compilation left in the output directory: its manifest, read back so
/// that a re-run reuses the certs that did not change (same bytes, same issuer: the
/// signature still holds) instead of signing them again, reuses unchanged chain and ACL
/// files, and merges the signatures of pending requests signed since (`pending/*.sig`).
///
/// The previous output is trusted as spkic wrote it, except merged signatures, which are
/// verified.
public struct PreviousOutput: Sendable {
    public let directory: String
    /// Hex digests of the certs it holds signed.
    public let signedCerts: Set<String>
    /// The manifest line of each signed cert, and the chains it lists: reused as they are
    /// when the cert and its chains did not change.
    let certLines: [String: (line: [UInt8], chains: [String])]
    /// Chains by key: their certs and status.
    public let chains: [String: (certs: [String], complete: Bool)]
    /// The manifest line of each complete chain (reused with its user's unchanged files).
    var chainLines: [String: [UInt8]] = [:]
    /// ACLs by `<vpxi>/<machine>`: the resource hash they name.
    public let acls: [String: SExpr]
    /// The manifest's version (`Manifest.version` for an output of this spkic).
    public var version = Manifest.version

    /// Reads `directory/manifest`; nil when the directory does not exist. A directory
    /// without a manifest (or with one spkic cannot read) is refused: it is not an
    /// output of spkic, and compiling would replace it.
    public static func load(_ directory: String) throws(CompileFailure) -> PreviousOutput? {
        guard FileSystem.exists(directory) else { return nil }
        guard FileSystem.isDirectory(directory) else {
            throw CompileFailure("`\(directory)` exists and is not a directory; choose another output")
        }
        let manifestPath = directory + "/" + OutputLayout.manifest
        guard FileSystem.exists(manifestPath) else {
            if FileSystem.list(directory).isEmpty {
                return PreviousOutput(directory: directory, signedCerts: [], certLines: [:], chains: [:], acls: [:])
            }
            throw CompileFailure("`\(directory)` exists, is not empty and has no spkic manifest: refusing to replace it; choose another output, or remove it")
        }
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(manifestPath)
        } catch {
            throw CompileFailure("cannot read the previous manifest: \(error)")
        }
        // One record per line after the first. Each line is parsed on its own (in
        // parallel), into a flat document walked without building values.
        let lines = bytes.split(separator: UInt8(ascii: "\n"))
        var version = "1"
        if lines.count > 1 {
            let second = Array(lines[1].drop { $0 == UInt8(ascii: " ") })
            if let value = try? SExpr.parse(second), value.head == "version", case .atom(let atom)? = value.tail.first {
                version = String(decoding: atom.bytes, as: UTF8.self)
            }
        }
        let records = Parallel.map(max(0, lines.count - 1), chunk: 2048) { range in
            range.compactMap { offset -> Record? in
                var line = Array(lines[offset + 1].drop { $0 == UInt8(ascii: " ") })
                if offset + 2 == lines.count, line.last == UInt8(ascii: ")") { line.removeLast() }  // closes the manifest
                return Record(line)
            }
        }.flatMap { $0 }
        var signed = Set<String>()
        var certLines: [String: ([UInt8], [String])] = [:]
        var chains: [String: ([String], Bool)] = [:]
        var chainLines: [String: [UInt8]] = [:]
        var acls: [String: SExpr] = [:]
        for record in records {
            switch record.kind {
            case .cert(let isSigned, let chainKeys):
                guard isSigned else { continue }
                signed.insert(record.key)
                certLines[record.key] = (record.line, chainKeys)
            case .chain(let certs, let complete):
                chains[record.key] = (certs, complete)
                if complete { chainLines[record.key] = record.line }
            case .acl(let resource):
                acls[record.key] = resource
            }
        }
        var previous = PreviousOutput(directory: directory, signedCerts: signed,
                                      certLines: version == Manifest.version ? certLines : [:], chains: chains, acls: acls)
        previous.version = version
        if version == Manifest.version { previous.chainLines = chainLines }
        return previous
    }

    /// One line of a manifest, read.
    struct Record: Sendable {
        enum Kind: Sendable {
            case cert(signed: Bool, chains: [String])
            case chain(certs: [String], complete: Bool)
            case acl(SExpr)
        }

        let key: String
        let kind: Kind
        let line: [UInt8]

        init?(_ line: [UInt8]) {
            guard line.starts(with: Array("(cert ".utf8)) || line.starts(with: Array("(chain ".utf8)) || line.starts(with: Array("(acl ".utf8)),
                  let document = try? SExprParser().parse(line), let root = document.roots.first, document.isList(root) else { return nil }
            func text(_ id: SExprDocument.NodeID) -> String? {
                document.isList(id) ? nil : document.withAtomBytes(id) { String(decoding: $0, as: UTF8.self) }
            }
            let parts = document.children(root)
            func field(_ name: String) -> [SExprDocument.NodeID]? {
                for child in parts.dropFirst(2) where document.isList(child) {
                    let items = document.children(child)
                    if let head = items.first, text(head) == name { return Array(items.dropFirst()) }
                }
                return nil
            }
            guard parts.count >= 2, let head = text(parts[0]), let key = text(parts[1]) else { return nil }
            self.key = key
            self.line = line
            switch head {
            case "cert":
                let status = field("status")?.first.flatMap(text)
                kind = .cert(signed: status == Manifest.CertStatus.signed.rawValue, chains: (field("chains") ?? []).compactMap(text))
            case "chain":
                kind = .chain(certs: (field("certs") ?? []).compactMap(text),
                              complete: field("status")?.first.flatMap(text) == Manifest.ChainStatus.complete.rawValue)
            default:
                guard let resource = field("resource")?.first else { return nil }
                kind = .acl(document.value(resource))
            }
        }
    }

    /// The path of a file of the previous output.
    public func path(_ relative: String) -> String { directory + "/" + relative }

    /// The SHA-256 signatures in a vpxi's certs file (`certs/<vpxi>`), by the digest they
    /// cover; empty when there is no such file (then `legacySignedCert` finds them).
    func signatures(ofVPXI vpxi: String) -> [[UInt8]: SPKISignature] {
        guard let bytes = try? FileSystem.read(path(OutputLayout.certs(vpxi: vpxi))),
              let value = try? SExpr.parse(bytes), value.head == "sequence" else { return [:] }
        var found: [[UInt8]: SPKISignature] = [:]
        for item in value.tail where item.head == "signature" {
            if let signature = try? SPKISignature(parsing: item), signature.hash == .sha256 { found[signature.digest] = signature }
        }
        return found
    }

    /// The signature of a signed cert in an output of manifest version 1, read from the
    /// cert's own file (`certs/<sha256>.cert`), checked to cover the cert with this digest.
    func legacySignedCert(_ hex: String, digest: [UInt8]) -> SPKISignature? {
        guard let bytes = try? FileSystem.read(path(OutputLayout.legacyCert(hex))),
              let value = try? SExpr.parse(bytes), value.head == "sequence", value.tail.count == 2,
              let signature = try? SPKISignature(parsing: value.tail.last!) else { return nil }
        guard signature.digest == digest, signature.hash == .sha256 else { return nil }
        return signature
    }

    /// A signature made outside for a pending cert (`pending/<hex>.sig`, or in `extra`),
    /// verified to cover the cert and to be by its issuer.
    static func mergedSignature(for planned: CertPlan.PlannedCert, in directories: [String]) -> SPKISignature? {
        guard let key = planned.issuer.key.rsa else { return nil }
        for directory in directories {
            let path = directory + "/" + planned.hex + ".sig"
            guard let bytes = try? FileSystem.read(path), let value = try? SExpr.parse(bytes),
                  let signature = try? SPKISignature(parsing: value), signature.digest == planned.digest else { continue }
            do {
                try key.verify(signature: signature.signature, digest: signature.digest, hash: signature.hash)
            } catch {
                continue
            }
            return signature
        }
        return nil
    }
}

/// A compilation that cannot go on, with the message for its user (exit status 2).
public struct CompileFailure: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
