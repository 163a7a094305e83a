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
    /// ACLs by `<vpxi>/<machine>`: the resource hash they name.
    public let acls: [String: SExpr]

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
        // The manifest is one list, one record per line after the first: parsed in one
        // pass into a flat document, walked without building values.
        let document: SExprDocument
        do {
            document = try SExprParser().parse(bytes)
        } catch {
            throw CompileFailure("the previous manifest `\(manifestPath)` is damaged (\(error.message)): remove the output, or choose another")
        }
        guard let root = document.roots.first, document.isList(root) else {
            throw CompileFailure("the previous manifest `\(manifestPath)` is not an spkic manifest")
        }
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        func text(_ id: SExprDocument.NodeID) -> String? {
            document.isList(id) ? nil : document.withAtomBytes(id) { String(decoding: $0, as: UTF8.self) }
        }
        func field(_ record: [SExprDocument.NodeID], _ name: String) -> [SExprDocument.NodeID]? {
            for child in record.dropFirst(2) where document.isList(child) {
                let parts = document.children(child)
                if let head = parts.first, text(head) == name { return Array(parts.dropFirst()) }
            }
            return nil
        }
        var signed = Set<String>()
        var certLines: [String: ([UInt8], [String])] = [:]
        var chains: [String: ([String], Bool)] = [:]
        var acls: [String: SExpr] = [:]
        for (position, record) in document.children(root).dropFirst().enumerated() where document.isList(record) {
            let parts = document.children(record)
            guard parts.count >= 2, let head = text(parts[0]), let key = text(parts[1]) else { continue }
            switch head {
            case "cert":
                guard let status = field(parts, "status")?.first, text(status) == Manifest.CertStatus.signed.rawValue else { continue }
                signed.insert(key)
                // Record k is on line k + 1, after a blank; the last line also closes the manifest.
                if position + 1 < lines.count {
                    var line = Array(lines[position + 1].drop { $0 == UInt8(ascii: " ") })
                    if position + 1 == lines.count - 2, line.last == UInt8(ascii: ")") { line.removeLast() }
                    certLines[key] = (line, (field(parts, "chains") ?? []).compactMap(text))
                }
            case "chain":
                let certs = (field(parts, "certs") ?? []).compactMap(text)
                let status = field(parts, "status")?.first.flatMap(text)
                chains[key] = (certs, status == Manifest.ChainStatus.complete.rawValue)
            case "acl":
                if let resource = field(parts, "resource")?.first { acls[key] = document.value(resource) }
            default:
                break
            }
        }
        return PreviousOutput(directory: directory, signedCerts: signed, certLines: certLines, chains: chains, acls: acls)
    }

    /// The path of a file of the previous output.
    public func path(_ relative: String) -> String { directory + "/" + relative }

    /// The cert and signature of a signed cert, read from its file, checked to be the cert
    /// with this digest.
    func signedCert(_ hex: String, digest: [UInt8]) -> SPKISignature? {
        guard let bytes = try? FileSystem.read(path(OutputLayout.cert(hex))),
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
