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
                return PreviousOutput(directory: directory, signedCerts: [], chains: [:], acls: [:])
            }
            throw CompileFailure("`\(directory)` exists, is not empty and has no spkic manifest: refusing to replace it; choose another output, or remove it")
        }
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(manifestPath)
        } catch {
            throw CompileFailure("cannot read the previous manifest: \(error)")
        }
        // One record per line after the first; parsed in parallel.
        let lines = Array(bytes.split(separator: UInt8(ascii: "\n")).dropFirst())
        let records = Parallel.map(lines.count, chunk: 2048) { range in
            range.compactMap { index -> SExpr? in
                var record = Array(lines[index])
                while record.first == UInt8(ascii: " ") { record.removeFirst() }
                if let value = try? SExpr.parse(record) { return value }
                guard record.last == UInt8(ascii: ")") else { return nil }
                record.removeLast()  // the manifest's own closing parenthesis, on the last line
                return try? SExpr.parse(record)
            }
        }.flatMap { $0 }
        var signed = Set<String>()
        var chains: [String: ([String], Bool)] = [:]
        var acls: [String: SExpr] = [:]
        for value in records {
            guard let key = value.tail.first?.text else { continue }
            switch value.head {
            case "cert":
                if value.first("status")?.tail.first?.text == Manifest.CertStatus.signed.rawValue { signed.insert(key) }
            case "chain":
                let certs = value.first("certs")?.tail.compactMap(\.text) ?? []
                chains[key] = (certs, value.first("status")?.tail.first?.text == Manifest.ChainStatus.complete.rawValue)
            case "acl":
                if let resource = value.first("resource")?.tail.first { acls[key] = resource }
            default:
                break
            }
        }
        return PreviousOutput(directory: directory, signedCerts: signed, chains: chains, acls: acls)
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
