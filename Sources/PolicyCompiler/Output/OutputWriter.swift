import SExpr
import SPKI
import ToolSupport

/// Writes a compilation's output directory atomically: everything goes into a new
/// directory beside it, which then takes its place (an atomic exchange on Linux), and the
/// old content is removed. Files that did not change are hard links to the previous
/// output's, so a re-run costs what changed.
public struct OutputWriter {
    public struct Statistics: Sendable {
        public var filesWritten = 0
        public var filesLinked = 0
        public var chainsComplete = 0
        public var chainsPending = 0
    }

    let model: PolicyModel
    let plan: CertPlan
    let signing: CertSigner.Result
    let previous: PreviousOutput?
    let format: SExprText
    let policyName: String
    let at: Int64

    public init(model: PolicyModel, plan: CertPlan, signing: CertSigner.Result, previous: PreviousOutput?,
                format: SExprText, policyName: String, at: Int64) {
        self.model = model
        self.plan = plan
        self.signing = signing
        self.previous = previous
        self.format = format
        self.policyName = policyName
        self.at = at
    }

    /// One file to put in the new output: bytes to write, or a previous file to link.
    enum FileContent: Sendable {
        case bytes([UInt8])
        case link(String)
    }

    public func write(to output: String) throws(CompileFailure) -> Statistics {
        var stats = Statistics()
        let temp: String
        do {
            temp = try FileSystem.temporaryDirectory(beside: output)
        } catch {
            throw CompileFailure("cannot create the output beside `\(output)`: \(error.reason)")
        }
        do {
            try fill(temp, stats: &stats)
            FileSystem.syncFileSystem(of: temp)
            try FileSystem.publish(temp, at: output)
        } catch {
            FileSystem.removeTree(temp)
            throw CompileFailure("cannot write the output `\(output)`: \(error.reason)")
        }
        FileSystem.removeTree(temp)  // the previous output, after the exchange
        return stats
    }

    func fill(_ root: String, stats: inout Statistics) throws(FileError) {
        var directories: Set<String> = ["certs", "pending", "acl", "chains"]
        for vpxi in model.vpxis { directories.insert("acl/\(vpxi.name)") }
        for chain in plan.chains {
            directories.insert("chains/\(model.users[chain.user].name)")
            directories.insert("chains/\(model.users[chain.user].name)/\(model.vpxis[chain.vpxi].name)")
        }
        for directory in directories.sorted() { try FileSystem.makeDirectories(root + "/" + directory) }

        // The text of every cert this run has a signature for, and of pending certs.
        let certs = plan.certs
        let signatures = signing.signatures
        let format = self.format
        let items: [(cert: [UInt8], signature: [UInt8]?)] = Parallel.map(certs.count, chunk: 256) { range in
            range.map { index -> ([UInt8], [UInt8]?) in
                (format.item(certs[index].cert.sexp), signatures[index].map { format.item($0.sexp) })
            }
        }.flatMap { $0 }
        var cache = ItemCache(items: items, previous: previous, plan: plan, format: format)

        var files: [(String, FileContent)] = []
        files.reserveCapacity(plan.certs.count + plan.chains.count + plan.acls.count)
        var certStatus = [Manifest.CertStatus](repeating: .pending, count: certs.count)
        for (index, planned) in certs.enumerated() {
            switch signing.origins[index] {
            case .pending:
                files.append((OutputLayout.pending(planned.hex), .bytes(items[index].cert + (format == .advanced ? [0x0A] : []))))
            case .reused:
                certStatus[index] = .signed
                files.append((OutputLayout.cert(planned.hex), .link(previous!.path(OutputLayout.cert(planned.hex)))))
            case .signed, .merged:
                certStatus[index] = .signed
                files.append((OutputLayout.cert(planned.hex), .bytes(format.sequence([items[index].cert, items[index].signature!]))))
            }
        }
        var chainsOfCert = [[String]](repeating: [], count: certs.count)
        var chainRecords: [SExpr] = []
        for chain in plan.chains {
            let user = model.users[chain.user].name, vpxi = model.vpxis[chain.vpxi].name, machine = model.vpxis[chain.vpxi].machines[chain.machine].name
            let key = OutputLayout.chainKey(user: user, vpxi: vpxi, machine: machine)
            let hexes = chain.certs.map { certs[$0].hex }
            let complete = chain.certs.allSatisfy { certStatus[$0] == .signed }
            for index in chain.certs { chainsOfCert[index].append(key) }
            chainRecords.append(Manifest.chainRecord(key: key, user: user, vpxi: vpxi, machine: machine,
                                                     status: complete ? .complete : .pending, certs: hexes))
            guard complete else {
                stats.chainsPending += 1
                continue
            }
            stats.chainsComplete += 1
            let path = OutputLayout.chain(user: user, vpxi: vpxi, machine: machine)
            if let old = previous?.chains[key], old.complete, old.certs == hexes, chain.certs.allSatisfy({ signing.origins[$0] == .reused }) {
                files.append((path, .link(previous!.path(path))))
            } else {
                var parts: [[UInt8]] = []
                for index in chain.certs { parts += try cache.items(index) }
                files.append((path, .bytes(format.sequence(parts))))
            }
        }
        var aclRecords: [SExpr] = []
        for planned in plan.acls {
            let vpxi = model.vpxis[planned.vpxi].name, machine = model.vpxis[planned.vpxi].machines[planned.machine].name
            guard case .principal(let principal) = planned.acl.entries[0].subject else { continue }
            let key = PublicKeyInfo(principal: principal, rsa: nil, algorithm: "", sshLine: nil, origin: "")
            let path = OutputLayout.acl(vpxi: vpxi, machine: machine)
            if let old = previous?.acls["\(vpxi)/\(machine)"], old == key.hash {
                files.append((path, .link(previous!.path(path))))
            } else {
                files.append((path, .bytes(format.object(planned.acl.sexp))))
            }
            aclRecords.append(Manifest.aclRecord(vpxi: vpxi, machine: machine, key: key))
        }
        let (written, linked) = try Self.put(files, root: root)
        stats.filesWritten = written
        stats.filesLinked = linked

        var records = Manifest.header(policy: policyName, at: at)
        for (v, vpxi) in model.vpxis.enumerated() {
            records.append(Manifest.vpxiRecord(vpxi, registrar: model.registrars[vpxi.registrar].name, epoch: plan.epochs[v]))
        }
        let signedCount = certStatus.lazy.filter { $0 == .signed }.count
        records.append(["summary", ["certs", .string(String(certs.count))], ["signed", .string(String(signedCount))],
                        ["pending", .string(String(certs.count - signedCount))], ["chains", .string(String(plan.chains.count))],
                        ["acls", .string(String(plan.acls.count))]])
        let model = self.model
        let statuses = certStatus
        let chainKeys = chainsOfCert
        let certRecords: [SExpr] = Parallel.map(certs.count, chunk: 512) { range in
            range.map { Manifest.certRecord(certs[$0], model: model, status: statuses[$0], chains: chainKeys[$0]) }
        }.flatMap { $0 }
        try FileSystem.write(Manifest.render(records + certRecords + chainRecords + aclRecords), to: root + "/" + OutputLayout.manifest)
        stats.filesWritten += 1
    }

    /// Writes or links the files, in parallel.
    static func put(_ files: [(String, FileContent)], root: String) throws(FileError) -> (written: Int, linked: Int) {
        let results = Parallel.map(files.count, chunk: 256) { range -> Result<(Int, Int), FileError> in
            var written = 0, linked = 0
            for index in range {
                let (relative, content) = files[index]
                let path = root + "/" + relative
                do throws(FileError) {
                    switch content {
                    case .bytes(let bytes):
                        try FileSystem.write(bytes, to: path)
                        written += 1
                    case .link(let source):
                        if FileSystem.link(source, path) {
                            linked += 1
                        } else {
                            try FileSystem.write(try FileSystem.read(source), to: path)
                            written += 1
                        }
                    }
                } catch {
                    return .failure(error)
                }
            }
            return .success((written, linked))
        }
        var total = (0, 0)
        for result in results {
            let (written, linked) = try result.get()
            total.0 += written
            total.1 += linked
        }
        return total
    }
}

/// The sequence items of certs, for chains: from this run, or read back from the previous
/// output for reused certs.
struct ItemCache {
    let items: [(cert: [UInt8], signature: [UInt8]?)]
    let previous: PreviousOutput?
    let plan: CertPlan
    let format: SExprText
    var loaded: [Int: [UInt8]] = [:]

    init(items: [(cert: [UInt8], signature: [UInt8]?)], previous: PreviousOutput?, plan: CertPlan, format: SExprText) {
        self.items = items
        self.previous = previous
        self.plan = plan
        self.format = format
    }

    mutating func items(_ index: Int) throws(FileError) -> [[UInt8]] {
        if let signature = items[index].signature { return [items[index].cert, signature] }
        if let signature = loaded[index] { return [items[index].cert, signature] }
        let planned = plan.certs[index]
        guard let previous, let found = previous.signedCert(planned.hex, digest: planned.digest) else {
            throw FileError(code: .cannotRead, path: OutputLayout.cert(planned.hex), reason: "the previous output's copy of this cert is missing or damaged")
        }
        let text = format.item(found.sexp)
        loaded[index] = text
        return [items[index].cert, text]
    }
}
