import RSA
import SExpr
import SPKI
import ToolSupport

/// Writes a compilation's output (`Docs/outputs.md`): a new generation in the output's
/// store, published in one atomic step (see `GenerationStore`). Each vpxi's certs file,
/// each user's chains files and each vpxi's ACLs are content-addressed in a pool shared
/// between generations, so a re-run writes only what changed; a file per vpxi's certs and
/// per user's chains (not per cert and per chain) keeps the kernel's file creation, the
/// cost that bound the full run, to about 10,000 files for 100,000 certs. The vpxis are written one after the other, so that
/// the texts of only one vpxi's certs are in memory at a time; with a `SigningPipeline`,
/// each vpxi as soon as its signatures are made, while the following vpxis are signed.
public struct OutputWriter: Sendable {
    public struct Statistics: Sendable {
        /// Files written by this run.
        public var filesWritten = 0
        /// Files of the previous output that are part of this one unchanged (kept in the
        /// pool).
        public var filesReused = 0
        public var chainsComplete = 0
        public var chainsPending = 0
        /// How long each step took (for benchmarks).
        public var phases: [(String, Duration)] = []
        /// Each vpxi's certs (and how many pending) and chains in the output, those carried
        /// over included.
        public var vpxis: [(certs: Int, pending: Int, chains: Int)] = []
        /// The vpxis carried over from the previous output, and their certs.
        public var carriedVPXIs = 0
        public var carriedCerts = 0
    }

    let model: PolicyModel
    let plan: CertPlan
    /// Each cert's origin (known before signing).
    let origins: [CertSigner.Origin]
    /// Where each vpxi's signatures come from.
    let source: SignatureSource
    let previous: PreviousOutput?
    let format: SExprText
    let policyName: String
    let at: Int64
    /// Each vpxi's fingerprint (`VPXIFingerprint`), recorded in the manifest.
    let fingerprints: [String]

    public init(model: PolicyModel, plan: CertPlan, signing: CertSigner.Result, previous: PreviousOutput?,
                format: SExprText, policyName: String, at: Int64, fingerprints: [String]) {
        self.fingerprints = fingerprints
        self.model = model
        self.plan = plan
        origins = signing.origins
        source = .made(signing.signatures)
        self.previous = previous
        self.format = format
        self.policyName = policyName
        self.at = at
    }

    /// Writes each vpxi as soon as `pipeline` has made its signatures.
    init(model: PolicyModel, plan: CertPlan, pipeline: SigningPipeline, previous: PreviousOutput?,
         format: SExprText, policyName: String, at: Int64, fingerprints: [String]) {
        self.fingerprints = fingerprints
        self.model = model
        self.plan = plan
        origins = pipeline.origins
        source = .pipeline(pipeline)
        self.previous = previous
        self.format = format
        self.policyName = policyName
        self.at = at
    }

    /// Where the writer takes each vpxi's signatures from: all made already, or made by a
    /// pipeline while the writer writes the vpxis before.
    enum SignatureSource: Sendable {
        case made([SPKISignature?])
        case pipeline(SigningPipeline)

        /// Nil when signing failed (`failure` says why).
        func signatures(ofVPXI v: Int, range: Range<Int>) -> VPXISignatures? {
            switch self {
            case .made(let all): return VPXISignatures(base: range.lowerBound, values: Array(all[range]))
            case .pipeline(let pipeline): return pipeline.signatures(ofVPXI: v, range: range)
            }
        }

        var failure: CertSigner.Failure? {
            guard case .pipeline(let pipeline) = self else { return nil }
            return pipeline.failure
        }
    }

    /// One file to write: bytes, or a `(sequence ...)` of cert items assembled when it is
    /// written.
    enum FileContent: Sendable {
        case bytes([UInt8])
        /// Items: 2i is cert i, 2i + 1 its signature; -1 - i is cert i alone (a request).
        case sequence([Int])
    }

    public func write(to output: String) throws(CompileFailure) -> Statistics {
        var stats = Statistics()
        let store = GenerationStore(output: output)
        let (generation, lock) = try store.begin()
        defer { FileSystem.unlock(lock) }
        let clock = ContinuousClock()
        let filled: GenerationLinks.PoolNames?
        do {
            filled = try fill(generation, store: store, stats: &stats)
        } catch {
            FileSystem.removeTreeInParallel(generation)
            throw CompileFailure("cannot write the output `\(output)`: \(error.reason)")
        }
        guard let kept = filled else {
            FileSystem.removeTreeInParallel(generation)
            throw CompileFailure(source.failure?.message ?? "signing failed")
        }
        do {
            var mark = clock.now
            FileSystem.syncFileSystem(of: generation)
            stats.phases.append(("sync to disk", clock.now - mark))
            mark = clock.now
            try store.publish(generation)
            stats.phases.append(("publish", clock.now - mark))
        } catch {
            FileSystem.removeTreeInParallel(generation)
            throw CompileFailure("cannot write the output `\(output)`: \(error.reason)")
        }
        let mark = clock.now
        store.collect(keeping: generation, pool: kept)
        stats.phases.append(("remove what the previous output no longer needs", clock.now - mark))
        return stats
    }

    /// Writes the generation and what it needs in the pool; returns the pool entries it
    /// uses, or nil when signing failed.
    func fill(_ generation: String, store: GenerationStore, stats: inout Statistics) throws(FileError)
        -> GenerationLinks.PoolNames? {
        let clock = ContinuousClock()
        var mark = clock.now
        func phase(_ name: String) {
            stats.phases.append((name, clock.now - mark))
            mark = clock.now
        }
        let certs = plan.certs
        var certStatus = [Manifest.CertStatus](repeating: .pending, count: certs.count)
        for index in certs.indices where origins[index] != .pending { certStatus[index] = .signed }
        let content = OutputContent(model: model, plan: plan, signed: certStatus.map { $0 == .signed }, format: format)
        var records = ManifestRecords(vpxis: model.vpxis.count)
        var links = GenerationLinks()

        // Each vpxi's chains go to a pool directory named by their content: reused when it
        // exists, else written under a temporary name. A chains directory is reused
        // only with the previous manifest's records of its chains (they say where each chain
        // sits in its user's file).
        let previousChainLines = previous?.chainLines ?? [:]
        var newChainDirectories: [Int: String] = [:]
        for (v, name) in content.chainDirectories.enumerated() {
            guard let name else { continue }
            let complete = content.chainsOfVPXI[v].filter { plan.chains[$0].certs.allSatisfy { certStatus[$0] == .signed } }
            if !FileSystem.exists(store.poolChains(name)) || !complete.allSatisfy({ previousChainLines[content.chainKey(plan.chains[$0])] != nil }) {
                newChainDirectories[v] = try FileSystem.temporaryDirectory(in: store.pool + "/chains", prefix: name + ".tmp-")
            }
        }
        phase("plan the files")

        var rendered = 0
        var renderTime = Duration.zero, putTime = Duration.zero, recordTime = Duration.zero, waitTime = Duration.zero
        for v in model.vpxis.indices {
            if plan.carried.contains(v) {
                try carryOver(v, store: store, records: &records, links: &links, stats: &stats)
                continue
            }
            let range = content.certRanges[v]
            var started = clock.now
            guard let signatures = source.signatures(ofVPXI: v, range: range) else { return nil }
            waitTime += clock.now - started
            var files: [(String, FileContent)] = []
            var needed = Set<Int>()
            var fromPrevious: [Int] = []
            // A signed cert whose text is needed; a reused one's signature is read back.
            func need(_ index: Int) {
                guard !needed.contains(index) else { return }
                needed.insert(index)
                if self.origins[index] == .reused { fromPrevious.append(index) }
            }
            // The vpxi's signed certs go to one pool file named by their hashes: unchanged,
            // it is kept as it is; else it is written whole (reused signatures are read
            // back from the previous one).
            let pack = content.certPacks[v].flatMap { name in FileSystem.exists(store.poolCerts(name)) ? nil : store.poolCerts(name) }
            if content.certPacks[v] != nil, pack == nil { stats.filesReused += 1 }
            var packItems: [Int] = []
            for index in range {
                if self.origins[index] == .pending {
                    needed.insert(index)  // the request alone
                    files.append((generation + "/" + OutputLayout.pending(certs[index].hex), .sequence([-1 - index])))
                } else if pack != nil {
                    need(index)
                    packItems += [2 * index, 2 * index + 1]
                }
            }
            if let pack { files.append((pack + ".tmp", .sequence(packItems))) }
            // Each user's complete chains of this vpxi go to one file, `chains/<user>/<vpxi>`,
            // one `(sequence ...)` after the other; the manifest says where each one is.
            var chainsToWrite: [Int: [Int]] = [:]
            var chainUsers = Set<Int>()
            for chainIndex in content.chainsOfVPXI[v] {
                let chain = plan.chains[chainIndex]
                guard chain.certs.allSatisfy({ certStatus[$0] == .signed }) else {
                    stats.chainsPending += 1
                    continue
                }
                stats.chainsComplete += 1
                records.parts[v].completeChains += 1
                chainUsers.insert(chain.user)
                if newChainDirectories[v] != nil {
                    for index in chain.certs { need(index) }
                    chainsToWrite[chain.user, default: []].append(chainIndex)
                }
            }
            if newChainDirectories[v] == nil { stats.filesReused += chainUsers.count }
            if let name = content.chainDirectories[v] {
                for user in chainUsers { links.chain(user: model.users[user].name, vpxi: model.vpxis[v].name, pool: name) }
            }
            // The vpxi's ACLs go to one pool file named by their content, one object after
            // the other (the manifest says where each one is); rendered every time (they
            // are small) for their places, written when the file is not in the pool.
            let aclPack = content.aclPacks[v].flatMap { name in FileSystem.exists(store.poolACLs(name)) ? nil : store.poolACLs(name) }
            var aclBytes: [UInt8] = []
            for (m, machine) in model.vpxis[v].machines.enumerated() {
                let object = format.object(plan.acls[content.aclIndex[v] + m].acl.sexp)
                records.acls.append(Manifest.aclRecord(vpxi: model.vpxis[v].name, machine: machine.name,
                                                       key: content.machineKey(v, m), place: (aclBytes.count, object.count))[...])
                aclBytes += object
            }
            if let aclPack { files.append((aclPack + ".tmp", .bytes(aclBytes))) } else { stats.filesReused += 1 }
            // The texts this vpxi's files need, then the files, then its manifest lines.
            started = clock.now
            let previousSignatures = fromPrevious.isEmpty ? [:] : previous?.signatures(ofVPXI: model.vpxis[v].name) ?? [:]
            let table = try ItemTable.render(needed.sorted(), signatures: signatures, fromPrevious: fromPrevious,
                                             previousSignatures: previousSignatures, writer: self)
            rendered += needed.count
            let users = chainsToWrite.keys.sorted()
            let userChains = users.map { chainsToWrite[$0]! }
            let vpxiName = model.vpxis[v].name
            let chainPlan = plan.chains
            let chainFiles = Parallel.map(users.count, chunk: 1) { range in
                range.map { position -> (bytes: [UInt8], places: [Int: (offset: Int, length: Int)]) in
                    var bytes: [UInt8] = []
                    var places: [Int: (offset: Int, length: Int)] = [:]
                    for chainIndex in userChains[position] {
                        let start = bytes.count
                        let length = format.appendSequence(chainPlan[chainIndex].certs.lazy.flatMap { [table.item(2 * $0), table.item(2 * $0 + 1)] },
                                                           to: &bytes)
                        places[chainIndex] = (start, length)
                    }
                    return (bytes, places)
                }
            }.flatMap { $0 }
            var places: [Int: (offset: Int, length: Int)] = [:]
            for (position, user) in users.enumerated() {
                files.append((newChainDirectories[v]! + "/" + model.users[user].name, .bytes(chainFiles[position].bytes)))
                places.merge(chainFiles[position].places) { first, _ in first }
            }
            // The chains' manifest records, on every core.
            let chainIndices = content.chainsOfVPXI[v]
            let (statusesNow, placesNow, contentNow, modelNow) = (certStatus, places, content, model)
            records.chains += Parallel.map(chainIndices.count, chunk: 256) { range in
                range.map { position -> ArraySlice<UInt8> in
                    let chainIndex = chainIndices[position]
                    let chain = contentNow.plan.chains[chainIndex]
                    let key = contentNow.chainKey(chain)
                    let complete = chain.certs.allSatisfy { statusesNow[$0] == .signed }
                    if complete, placesNow[chainIndex] == nil, let line = previousChainLines[key] {
                        return line[...]  // in the vpxi's unchanged chains directory
                    }
                    return Manifest.chainRecord(
                        key: key, user: modelNow.users[chain.user].name, vpxi: vpxiName,
                        machine: modelNow.vpxis[v].machines[chain.machine].name, status: complete ? .complete : .pending,
                        certs: chain.certs.map { certs[$0].hex }, place: placesNow[chainIndex])[...]
                }
            }.flatMap { $0 }
            renderTime += clock.now - started
            started = clock.now
            let directories = Set(files.map { AtomicFileName.directory(of: $0.0) })
            for directory in directories.sorted() { try FileSystem.makeDirectories(directory) }
            stats.filesWritten += try Self.put(files, format: format, table: table)
            if let pack { try FileSystem.move(pack + ".tmp", pack) }
            if let aclPack { try FileSystem.move(aclPack + ".tmp", aclPack) }
            putTime += clock.now - started
            started = clock.now
            let model = self.model
            let statuses = certStatus
            let chainKeys = content.chainKeysOfCert
            let origins = self.origins
            let previousLines = previous?.certLines ?? [:]
            records.certs += Parallel.map(range.count, chunk: 512) { chunk in
                chunk.map { offset -> ArraySlice<UInt8> in
                    let index = range.lowerBound + offset
                    // An unchanged cert in unchanged chains keeps its line.
                    if origins[index] == .reused, let old = previousLines[certs[index].hex], old.chains == chainKeys[index] {
                        return old.line[...]
                    }
                    return Manifest.certRecord(certs[index], model: model, status: statuses[index], chains: chainKeys[index])[...]
                }
            }.flatMap { $0 }
            records.parts[v].certs = range.count
            records.parts[v].pending = range.lazy.filter { statuses[$0] == .pending }.count
            records.parts[v].chains = content.chainsOfVPXI[v].count
            records.parts[v].acls = model.vpxis[v].machines.count
            records.parts[v].certPool = content.certPacks[v]
            records.parts[v].chainPool = content.chainDirectories[v]
            records.parts[v].aclPool = content.aclPacks[v]
            recordTime += clock.now - started
        }
        phase("wait for signatures \(CompileTiming.seconds(waitTime)), render \(rendered) certs (\(CompileTiming.seconds(renderTime))), write \(stats.filesWritten) files (\(CompileTiming.seconds(putTime))), manifest lines (\(CompileTiming.seconds(recordTime)))")

        // Complete pool directories get their names; the generation links to them.
        for (v, temporary) in newChainDirectories {
            let target = store.poolChains(content.chainDirectories[v]!)
            if FileSystem.exists(target) { FileSystem.removeTree(target) }  // without its manifest records
            try FileSystem.move(temporary, target)
        }
        for (v, part) in records.parts.enumerated() where !plan.carried.contains(v) {
            links.vpxi(model.vpxis[v].name, part: part)
        }
        try links.make(in: generation, store: store)
        var header = Manifest.header(policy: policyName, at: at)
        for (v, vpxi) in model.vpxis.enumerated() {
            header.append(Manifest.vpxiRecord(vpxi, registrar: model.registrars[vpxi.registrar].name, epoch: plan.epochs[v],
                                              fingerprint: fingerprints[v], part: records.parts[v]))
        }
        let total = records.parts.reduce(into: Manifest.VPXIPart()) { total, part in
            total.certs += part.certs
            total.pending += part.pending
            total.chains += part.chains
            total.acls += part.acls
        }
        let summary: [(String, Int)] = [("certs", total.certs), ("signed", total.certs - total.pending), ("pending", total.pending),
                                        ("chains", total.chains), ("acls", total.acls)]
        header.append(.list(["summary"] + summary.map { name, count -> SExpr in .list([.string(name), .string(String(count))]) }))
        try Manifest.write(header.map { Manifest.line($0)[...] } + records.certs + records.chains + records.acls,
                           to: generation + "/" + OutputLayout.manifest)
        stats.filesWritten += 1
        stats.vpxis = records.parts.map { ($0.certs, $0.pending, $0.chains) }
        stats.carriedVPXIs = plan.carried.count
        stats.carriedCerts = plan.carried.reduce(0) { $0 + records.parts[$1].certs }
        phase("manifest and links")
        return links.kept
    }

    /// The signature item of a reused cert, read back from the previous output: from its
    /// vpxi's certs file (`signatures`, read once per vpxi), or from its own file in an
    /// output of manifest version 1.
    func previousSignature(_ index: Int, in signatures: [[UInt8]: SPKISignature]) throws(FileError) -> [UInt8] {
        let planned = plan.certs[index]
        guard let previous, let found = signatures[planned.digest] ?? previous.legacySignedCert(planned.hex, digest: planned.digest) else {
            throw FileError(code: .cannotRead, path: OutputLayout.certs(vpxi: model.vpxis[planned.vpxi].name),
                            reason: "the previous output's copy of the cert \(planned.hex) is missing or damaged")
        }
        return format.element(found.sexp)
    }

    /// Writes or links the files, in parallel. The files are taken directory by directory,
    /// and each is created relative to its directory's descriptor (no path walk per file,
    /// no fsync: the caller syncs the whole generation before publishing it).
    static func put(_ files: [(String, FileContent)], format: SExprText, table: ItemTable) throws(FileError) -> Int {
        let split = files.map { file -> (directory: String, name: String) in
            (AtomicFileName.directory(of: file.0), AtomicFileName.basename(of: file.0))
        }
        let order = files.indices.sorted { split[$0].directory < split[$1].directory }
        let results = Parallel.map(order.count, chunk: 128) { range -> Result<Int, FileError> in
            var written = 0
            var directory = FileSystem.Directory?.none
            defer { directory?.close() }
            for position in range {
                let index = order[position]
                let content = files[index].1
                do throws(FileError) {
                    if directory?.path != split[index].directory {
                        directory?.close()
                        directory = try FileSystem.Directory(split[index].directory)
                    }
                    let name = split[index].name
                    switch content {
                    case .bytes(let bytes):
                        try directory!.write(bytes, to: name)
                        written += 1
                    case .sequence(let indices):
                        if indices.count == 1, indices[0] < 0 {
                            try directory!.write(table.item(indices[0]) + (format == .advanced ? [0x0A] : []), to: name)
                        } else {
                            try directory!.write(format.sequence(indices.map(table.item)), to: name)
                        }
                        written += 1
                    }
                } catch {
                    return .failure(error)
                }
            }
            return .success(written)
        }
        var total = 0
        for result in results { total += try result.get() }
        return total
    }
}

/// The sequence items of some certs: `item(2i)` is cert i, `item(2i + 1)` its signature
/// (made by this run, or read back from the previous output for a reused cert), and
/// `item(-1 - i)` cert i alone (a request). Items of signed certs are sequence elements
/// (`SExprText.element`), made once and copied into every file that holds them.
struct ItemTable: Sendable {
    let items: [Int: (cert: [UInt8], signature: [UInt8]?)]

    func item(_ index: Int) -> [UInt8] {
        if index < 0 { return items[-1 - index]!.cert }
        let cert = index / 2
        return index % 2 == 0 ? items[cert]!.cert : items[cert]!.signature!
    }

    /// Renders the items of `indices` in parallel.
    static func render(_ indices: [Int], signatures: VPXISignatures, fromPrevious: [Int], previousSignatures: [[UInt8]: SPKISignature],
                       writer: OutputWriter) throws(FileError) -> ItemTable {
        let certs = writer.plan.certs
        let format = writer.format
        let reused = Set(fromPrevious)
        let rendered = Parallel.map(indices.count, chunk: 128) { range in
            var text = ElementText()
            return range.map { position -> ([UInt8], [UInt8]?) in
                let index = indices[position]
                guard signatures[index] != nil || reused.contains(index) else { return (format.item(certs[index].cert.sexp), nil) }
                return (format.element(canonical: certs[index].canonical, using: &text),
                        signatures[index].map { format.element(canonical: $0.canonicalBytes, using: &text) })
            }
        }.flatMap { $0 }
        var items: [Int: (cert: [UInt8], signature: [UInt8]?)] = [:]
        for (position, index) in indices.enumerated() { items[index] = rendered[position] }
        let reread = Parallel.map(fromPrevious.count, chunk: 64) { range in
            range.map { position -> Result<[UInt8], FileError> in
                Result { () throws(FileError) in try writer.previousSignature(fromPrevious[position], in: previousSignatures) }
            }
        }.flatMap { $0 }
        for (position, index) in fromPrevious.enumerated() { items[index]!.signature = try reread[position].get() }
        return ItemTable(items: items)
    }
}

/// Durations in messages.
enum CompileTiming {
    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return "\(Units.number(value)) s"
    }
}
