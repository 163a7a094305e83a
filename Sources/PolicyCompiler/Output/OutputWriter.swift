import SExpr
import SPKI
import ToolSupport

/// Writes a compilation's output directory atomically: everything goes into a new
/// directory beside it, which then takes its place (an atomic exchange on Linux), and the
/// old content is removed. Files that did not change are hard links to the previous
/// output's, so a re-run costs what changed.
public struct OutputWriter: Sendable {
    public struct Statistics: Sendable {
        public var filesWritten = 0
        public var filesLinked = 0
        public var chainsComplete = 0
        public var chainsPending = 0
        /// How long each step took (for benchmarks).
        public var phases: [(String, Duration)] = []
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

    /// One file to put in the new output: bytes to write, a previous file to link, or a
    /// sequence of cert items assembled when it is written (so that the many chain files
    /// are never all in memory at once).
    enum FileContent: Sendable {
        case bytes([UInt8])
        case link(String)
        /// `(sequence ...)` of these items: indices into the item table (cert, then
        /// signature, for each cert).
        case sequence([Int])
    }

    public func write(to output: String) throws(CompileFailure) -> Statistics {
        var stats = Statistics()
        let temp: String
        do {
            temp = try FileSystem.temporaryDirectory(beside: output)
        } catch {
            throw CompileFailure("cannot create the output beside `\(output)`: \(error.reason)")
        }
        let clock = ContinuousClock()
        do {
            try fill(temp, stats: &stats)
            var mark = clock.now
            FileSystem.syncFileSystem(of: temp)
            stats.phases.append(("sync to disk", clock.now - mark))
            mark = clock.now
            try FileSystem.publish(temp, at: output)
            stats.phases.append(("publish", clock.now - mark))
        } catch {
            FileSystem.removeTree(temp)
            throw CompileFailure("cannot write the output `\(output)`: \(error.reason)")
        }
        let mark = clock.now
        FileSystem.removeTreeInParallel(temp)  // the previous output, after the exchange
        stats.phases.append(("remove the previous output", clock.now - mark))
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

        let clock = ContinuousClock()
        var mark = clock.now
        func phase(_ name: String) {
            stats.phases.append((name, clock.now - mark))
            mark = clock.now
        }
        let certs = plan.certs
        let format = self.format
        // Which files to write or link, and which certs' items (texts) they need.
        var needed = [Bool](repeating: false, count: certs.count)
        var files: [(String, FileContent)] = []
        files.reserveCapacity(plan.certs.count + plan.chains.count + plan.acls.count)
        var certStatus = [Manifest.CertStatus](repeating: .pending, count: certs.count)
        for (index, planned) in certs.enumerated() {
            switch signing.origins[index] {
            case .pending:
                needed[index] = true
                files.append((OutputLayout.pending(planned.hex), .sequence([-1 - index])))
            case .reused:
                certStatus[index] = .signed
                files.append((OutputLayout.cert(planned.hex), .link(previous!.path(OutputLayout.cert(planned.hex)))))
            case .signed, .merged:
                needed[index] = true
                certStatus[index] = .signed
                files.append((OutputLayout.cert(planned.hex), .sequence([2 * index, 2 * index + 1])))
            }
        }
        var chainsOfCert = [[String]](repeating: [], count: certs.count)
        var chainRecords: [SExpr] = []
        var fromPrevious: [Int] = []  // reused certs whose signatures a rewritten chain needs
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
                for index in chain.certs where !needed[index] {
                    needed[index] = true
                    if signing.signatures[index] == nil { fromPrevious.append(index) }
                }
                files.append((path, .sequence(chain.certs.flatMap { [2 * $0, 2 * $0 + 1] })))
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
        phase("list the files")

        // The texts needed: certs and signatures of this run, signatures of the previous
        // output for reused certs in rewritten chains.
        let signatures = signing.signatures
        let wanted = needed.indices.filter { needed[$0] }
        let rendered = Parallel.map(wanted.count, chunk: 256) { range in
            range.map { position -> ([UInt8], [UInt8]?) in
                let index = wanted[position]
                return (format.item(certs[index].cert.sexp), signatures[index].map { format.item($0.sexp) })
            }
        }.flatMap { $0 }
        var items = [(cert: [UInt8], signature: [UInt8]?)?](repeating: nil, count: certs.count)
        for (position, index) in wanted.enumerated() { items[index] = rendered[position] }
        let reread = fromPrevious
        let previousSignatures = Parallel.map(reread.count, chunk: 64) { range in
            range.map { position -> Result<[UInt8], FileError> in
                Result { () throws(FileError) in try previousSignature(reread[position]) }
            }
        }.flatMap { $0 }
        for (position, index) in reread.enumerated() { items[index]!.signature = try previousSignatures[position].get() }
        phase("render \(wanted.count) certs")

        let table = ItemTable(items: items)
        let (written, linked) = try Self.put(files, root: root, format: format, table: table)
        stats.filesWritten = written
        stats.filesLinked = linked
        phase("write \(written) and link \(linked) files")

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
        phase("manifest")
    }

    /// The signature item of a reused cert, read back from the previous output.
    func previousSignature(_ index: Int) throws(FileError) -> [UInt8] {
        let planned = plan.certs[index]
        guard let previous, let found = previous.signedCert(planned.hex, digest: planned.digest) else {
            throw FileError(code: .cannotRead, path: OutputLayout.cert(planned.hex), reason: "the previous output's copy of this cert is missing or damaged")
        }
        return format.item(found.sexp)
    }

    /// Writes or links the files, in parallel.
    static func put(_ files: [(String, FileContent)], root: String, format: SExprText, table: ItemTable) throws(FileError) -> (written: Int, linked: Int) {
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
                    case .sequence(let indices):
                        if indices.count == 1, indices[0] < 0 {
                            try FileSystem.write(table.item(indices[0]) + (format == .advanced ? [0x0A] : []), to: path)
                        } else {
                            try FileSystem.write(format.sequence(indices.map(table.item)), to: path)
                        }
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

/// The sequence items of the certs: `item(2i)` is cert i, `item(2i + 1)` its signature
/// (made by this run, or read back from the previous output for a reused cert), and
/// `item(-1 - i)` cert i alone as a file (a pending request).
struct ItemTable: Sendable {
    let items: [(cert: [UInt8], signature: [UInt8]?)?]

    func item(_ index: Int) -> [UInt8] {
        if index < 0 { return items[-1 - index]!.cert }
        let cert = index / 2
        return index % 2 == 0 ? items[cert]!.cert : items[cert]!.signature!
    }
}
