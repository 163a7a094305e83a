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

    /// What the previous manifest says of one vpxi (manifest version 3): its fingerprint,
    /// how many records of each kind it has (they follow each other vpxi by vpxi, so this
    /// places its lines), and the pool entries of its files.
    struct VPXIRecord: Sendable {
        var fingerprint: String
        var part = Manifest.VPXIPart()
        /// Its lines of each kind: indices into `lines`.
        var certLines = 0..<0, chainLines = 0..<0, aclLines = 0..<0
    }

    /// The manifest's record lines (without the leading space and the manifest's closing
    /// parenthesis), kept to be copied into the new manifest for carried-over vpxis.
    var lines: [ArraySlice<UInt8>] = []
    /// By vpxi name (manifest version 3).
    var vpxiRecords: [String: VPXIRecord] = [:]
    /// The vpxis (by name) whose part of this output is carried over: the fingerprint
    /// given to `load` matches, and none of its certs is pending.
    public internal(set) var carried: Set<String> = []

    /// Reads `directory/manifest`; nil when the directory does not exist. A directory
    /// without a manifest (or with one spkic cannot read) is refused: it is not an
    /// output of spkic, and compiling would replace it.
    ///
    /// With `fingerprints` (by vpxi name), the vpxis whose fingerprint matches the
    /// manifest's are carried over and their records are not parsed; nor are those of
    /// vpxis not in `fingerprints` (no longer in the policy). Without, every record is.
    public static func load(_ directory: String, fingerprints: [String: String]? = nil) throws(CompileFailure) -> PreviousOutput? {
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
        // One record per line after the first, each line parsed on its own (in parallel)
        // into a flat document walked without building values.
        var split = bytes.split(separator: UInt8(ascii: "\n")).dropFirst().map { line in
            line.first == UInt8(ascii: " ") ? line.dropFirst() : line
        }
        if let last = split.last, last.last == UInt8(ascii: ")") { split[split.count - 1] = last.dropLast() }  // closes the manifest
        let lines = split
        var version = "1"
        if let first = lines.first, let value = try? SExpr.parse(Array(first)), value.head == "version",
           case .atom(let atom)? = value.tail.first {
            version = String(decoding: atom.bytes, as: UTF8.self)
        }
        let (vpxiRecords, recordsStart) = version == Manifest.version ? Self.vpxiRecords(lines) : ([:], 0)
        // The lines to parse: all of them, or those of the vpxis planned again.
        var carried = Set<String>()
        var toParse: [Range<Int>] = [0..<lines.count]
        if let fingerprints, !vpxiRecords.isEmpty {
            toParse = [0..<recordsStart]
            for (name, record) in vpxiRecords.sorted(by: { $0.value.certLines.lowerBound < $1.value.certLines.lowerBound }) {
                guard let fingerprint = fingerprints[name] else { continue }
                if fingerprint == record.fingerprint, record.part.pending == 0, Self.poolHolds(record.part, store: GenerationStore(output: directory)) {
                    carried.insert(name)
                } else {
                    toParse += [record.certLines, record.chainLines, record.aclLines]
                }
            }
        }
        let indices = toParse.flatMap { $0 }
        let records = Parallel.map(indices.count, chunk: 2048) { range in
            range.compactMap { position -> Record? in Record(Array(lines[indices[position]])) }
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
        if !carried.isEmpty {
            previous.lines = lines
            previous.vpxiRecords = vpxiRecords
            previous.carried = carried
        }
        return previous
    }

    /// The vpxi records of a version 3 manifest, with where each vpxi's lines are, and the
    /// index of the first line after the header; empty when the counts do not add up to
    /// the manifest's lines (then nothing is carried over).
    static func vpxiRecords(_ lines: [ArraySlice<UInt8>]) -> ([String: VPXIRecord], Int) {
        var found: [(String, VPXIRecord)] = []
        var index = 0
        while index < lines.count, !lines[index].starts(with: Array("(summary".utf8)) {
            if lines[index].starts(with: Array("(vpxi ".utf8)) {
                guard let record = try? SExpr.parse(Array(lines[index])), let parsed = vpxiRecord(record) else { return ([:], 0) }
                found.append(parsed)
            }
            index += 1
        }
        var position = index + 1
        var records: [String: VPXIRecord] = [:]
        func take(_ count: Int) -> Range<Int> {
            defer { position += count }
            return position..<position + count
        }
        for (name, var record) in found {
            record.certLines = take(record.part.certs)
            records[name] = record
        }
        for (name, _) in found { records[name]!.chainLines = take(records[name]!.part.chains) }
        for (name, _) in found { records[name]!.aclLines = take(records[name]!.part.acls) }
        guard position == lines.count, records.count == found.count else { return ([:], 0) }
        return (records, index + 1)
    }

    /// Whether the pool still has a vpxi's entries.
    static func poolHolds(_ part: Manifest.VPXIPart, store: GenerationStore) -> Bool {
        (part.certPool.map { FileSystem.exists(store.poolCerts($0)) } ?? true)
            && (part.chainPool.map { FileSystem.exists(store.poolChains($0)) } ?? true)
            && (part.aclPool.map { FileSystem.exists(store.poolACLs($0)) } ?? true)
    }

    static func vpxiRecord(_ value: SExpr) -> (String, VPXIRecord)? {
        func text(_ item: SExpr?) -> String? {
            guard case .atom(let atom)? = item else { return nil }
            return String(decoding: atom.bytes, as: UTF8.self)
        }
        func field(_ items: [SExpr], _ name: String) -> [SExpr]? { items.first { $0.head == name }.map { Array($0.tail) } }
        let items = Array(value.tail)
        guard let name = text(items.first), let fingerprint = text(field(items, "fingerprint")?.first),
              let counts = field(items, "records") else { return nil }
        var record = VPXIRecord(fingerprint: fingerprint)
        func count(_ key: String) -> Int? { text(field(counts, key)?.first).flatMap { Int($0) } }
        guard let certs = count("certs"), let pending = count("pending"), let chains = count("chains"),
              let complete = count("complete-chains"), let acls = count("acls") else { return nil }
        (record.part.certs, record.part.pending, record.part.chains, record.part.completeChains, record.part.acls) = (certs, pending, chains, complete, acls)
        let pool = field(items, "pool") ?? []
        record.part.certPool = text(field(pool, "certs")?.first)
        record.part.chainPool = text(field(pool, "chains")?.first)
        record.part.aclPool = text(field(pool, "acl")?.first)
        return (name, record)
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
