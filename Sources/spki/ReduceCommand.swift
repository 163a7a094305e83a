import ArgumentParser
import SExpr
import SPKI
import ToolSupport

struct ReduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reduce",
        abstract: "Reduce sequences of certs against an ACL.",
        discussion: """
            Checks every signature, then reduces the certs of FILE (sequences, or loose certs, \
            keys and signatures) against the ACL: 5-tuple reduction, name reduction and \
            thresholds (RFC 2693 §6). Prints what the ACL grants through them, as \
            (acl (entry ...)...), newest (longest chain) first.

            Filters: each --tag is intersected with the entries' tags; --subject keeps the \
            entries for that subject (repeatable); --at keeps the entries valid then; \
            --valid (valid ...) is intersected with the entries' validity.

            Exit status: 0 an entry remains; 1 no authorization remains (the explanation is \
            on stderr) or a signature is bad (naming the cert and the reason); 2 malformed \
            input.

            A registrar's chains document (`GET /v1/vpxis/V/chains/U`: \
            (chains ... (machine-chain (machine M) (acl ...) (sequence ...))...)) needs no \
            --acl: each machine's sequence is reduced against its own ACL, with the same \
            filters, and each machine's result is printed as (machine M (acl ...)); exit 1 \
            when any machine has no authorization left or a cert still pending.

            Examples:
              spki reduce --acl r1.acl chain.sexp
              spki reduce --subject @erin.pub --tag '(vpxi seg ssh)' erin.chains
              spki reduce --acl r1.acl --subject @alice.pub --tag '(vm r1 ssh)' --at 2026-12-02T10:00:00Z chain.sexp
              spki reduce --acl r1.acl --unsigned --canonical - < unsigned-chain.sexp
            """)

    @Option(name: .long, help: "The ACL file: (acl (entry ...)...). Not with a registrar's chains document, which carries each machine's.")
    var acl: String?

    @Option(name: .long, help: "Intersect the entries' tags with this tag (repeatable).")
    var tag: [String] = []

    @Option(name: .long, help: "Keep only the entries for this subject (repeatable): an S-expression or @FILE.")
    var subject: [String] = []

    @Option(name: .long, help: "Keep only the entries valid at this time (SPKI or RFC 3339).")
    var at: String?

    @Option(name: .long, help: "Intersect the entries' validity with this (valid ...).")
    var valid: String?

    @Option(name: .long, help: "Extra public key files, to resolve principals given as hashes (repeatable).")
    var keys: [String] = []

    @Flag(name: .long, help: "Reduce certs without checking signatures (for testing; says so on stderr).")
    var unsigned = false

    @Flag(name: .long, help: "Write the canonical form instead of the advanced form.")
    var canonical = false

    @Option(name: .short, help: "Write to FILE atomically instead of standard output.")
    var output: String?

    @Argument(help: "File of sequences, or - for standard input.")
    var file: String = "-"

    func validate() throws {
        if at != nil && valid != nil { throw ValidationError("--at and --valid exclude each other") }
    }

    func run() throws {
        try CommandRunner.run {
            let filters = try Filters(tag: tag, subject: subject, at: at, valid: valid)
            if unsigned { Console.err("warning: --unsigned: signatures are NOT checked; the result shows the reduction logic only") }
            if let machines = try ChainsDocument.read(file) {
                guard acl == nil else {
                    throw CommandFailure(.badInput, "--acl goes with sequences of certs; \(InputReader.displayName(file)) is a chains document, "
                        + "which carries each machine's ACL\nhelp: leave --acl out")
                }
                let result = try ChainsDocument.reduce(machines, keys: try SPKIInput.keyStore(keys), checkSignatures: !unsigned) { acl, bag in
                    try Self.reduce(acl: acl, bag: bag, filters: filters)
                }
                try CommandRunner.emit(canonical ? result.canonical : Array(result.printed.utf8), to: output)
                if result.refused > 0 { throw ExitCode(ExitStatus.refused.rawValue) }
                return
            }
            guard let acl else {
                throw CommandFailure(.badInput, "--acl is needed\nhelp: give the ACL the chain starts from with --acl FILE "
                    + "(only a registrar's chains document carries its own)")
            }
            let aclValue = try SPKIInput.acl(acl)
            var builder = CertBag.Builder(keys: try SPKIInput.keyStore(keys))
            try SPKIInput.add(file: file, to: &builder)
            let bag = builder.build(checkSignatures: !unsigned)
            let result = try Self.reduce(acl: aclValue, bag: bag, filters: filters).sexp
            try CommandRunner.emit(canonical ? result.canonical : Array((result.advanced() + "\n").utf8), to: output)
        }
    }

    /// What the options keep of the reduced entries.
    struct Filters {
        var tag: Tag
        var tagGiven: Bool
        var subjects: [Subject]
        var time: SPKIDate?
        var window: Validity?

        init(tag: [String], subject: [String], at: String?, valid: String?) throws {
            self.tag = try tag.reduce(Tag.all) { $0.intersection(try SPKIInput.tag($1)) }
            tagGiven = !tag.isEmpty
            subjects = try subject.map { try SPKIInput.subject($0) }
            time = try at.map { try SPKIInput.time($0, option: "--at") }
            if let valid {
                var warnings: [SPKIWarning] = []
                do {
                    window = try Validity(parsing: try SPKIInput.argumentExpression(valid, option: "--valid"), warnings: &warnings)
                } catch let error as SPKIError {
                    throw SPKIInput.failure(error, in: "--valid")
                }
                SPKIInput.warn(warnings, in: "--valid")
            }
        }
    }

    /// What `acl` grants through the certs of `bag`, filtered; a refusal (exit 1) with the
    /// explanation when nothing remains or a signature is bad.
    static func reduce(acl aclValue: ACL, bag: CertBag, filters: Filters) throws -> ACL {
        for (index, entry) in bag.entries.enumerated() {
            if let problem = entry.status.problem {
                let help = entry.status == .keyUnknown ? "\n  help: include the issuer's (public-key …) in the sequence, or give it with --keys FILE" : ""
                throw CommandFailure(.refused, "\(bag.label(index)): \(problem)\(help)")
            }
        }
        SPKIInput.warnLegacy(bag)
        let start = aclValue.entries.enumerated().map { AuthTuple(entry: $1, index: $0) }
        var entries: [(depth: Int, entry: ACL.Entry)] = []
        for tuple in Reducer(bag: bag).closure(from: start) where !tuple.path.isEmpty {
            switch tuple.subject {
            case .name, .threshold: continue
            default: break
            }
            if !filters.subjects.isEmpty && !filters.subjects.contains(where: { Self.matches($0, tuple.subject) }) { continue }
            let tagValue = tuple.tag.intersection(filters.tag)
            if tagValue == .none { continue }
            var validity = tuple.validity
            if let time = filters.time, !validity.contains(time) { continue }
            if let window = filters.window {
                validity = validity.intersection(window)
                if validity.isEmpty { continue }
            }
            let entry = ACL.Entry(subject: tuple.subject, propagate: tuple.propagate, tag: tagValue, validity: validity)
            if !entries.contains(where: { $0.entry == entry }) { entries.append((tuple.path.count, entry)) }
        }
        guard !entries.isEmpty else {
            let request = SequenceExplainer.Request(tag: filters.tagGiven ? filters.tag : nil, time: filters.time, validity: filters.window,
                                                    subjects: filters.subjects)
            let refusal = SequenceExplainer.explain(acl: aclValue, bag: bag, request: request)
            throw CommandFailure(.refused, "no authorization remains: " + RefusalRenderer(acl: aclValue, bag: bag).render(refusal))
        }
        let ordered = entries.enumerated().sorted { ($0.element.depth, $0.offset) > ($1.element.depth, $1.offset) }.map(\.element.entry)
        return ACL(entries: ordered)
    }

    /// Whether a requested subject names this one (principals compare by key).
    static func matches(_ wanted: Subject, _ subject: Subject) -> Bool {
        if let a = wanted.principal, let b = subject.principal { return a.id == b.id }
        return wanted.sexp == subject.sexp
    }
}
