import ArgumentParser
import SExpr
import SPKI
import ToolSupport

struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Find a chain of certs that authorizes a request.",
        discussion: """
            Reads every cert under --certs (files, or directories read recursively), checks \
            their signatures, and looks for a chain from the ACL to the subject that allows the \
            tag at the time (now by default). Prints the chain as a (sequence ...) ready to \
            present: each cert with its signature, and the issuer's key when a cert names it \
            by hash.

            When there is none, explains why on stderr: no cert leads from the ACL to the \
            subject, or, for the closest partial chains, the first link that fails and why \
            (delegation not allowed, the tag does not include the request, the validity \
            ended, a bad signature).

            Exit status: 0 a chain was found; 1 none (with the explanation); 2 malformed input.

            Examples:
              spki prove --acl r1.acl --certs certs/ --subject @alice.pub --tag '(vm r1 ssh)'
              spki prove --acl r1.acl --certs a.cert --certs b.cert --subject '(hash sha256 |...|)' \\
                --tag '(tag (vm r1 ssh))' --at 2026-12-02T10:00:00Z -o chain.sexp
            """)

    @Option(name: .long, help: "The ACL file: (acl (entry ...)...).")
    var acl: String

    @Option(name: .long, help: "Cert files or directories (repeatable).")
    var certs: [String]

    @Option(name: .long, help: "The requester: a principal S-expression, or @FILE (a key file in any format).")
    var subject: String

    @Option(name: .long, help: "The request: (tag T) or T.")
    var tag: String

    @Option(name: .long, help: "The time of the request (SPKI or RFC 3339); now by default.")
    var at: String?

    @Option(name: .long, help: "Extra public key files, to resolve principals given as hashes (repeatable).")
    var keys: [String] = []

    @Flag(name: .long, help: "Write the canonical form instead of the advanced form.")
    var canonical = false

    @Option(name: .short, help: "Write to FILE atomically instead of standard output.")
    var output: String?

    func run() throws {
        try CommandRunner.run {
            let aclValue = try SPKIInput.acl(acl)
            guard case .principal(let requester) = try SPKIInput.subject(subject) else {
                throw CommandFailure(.badInput, "--subject must be a principal (a key or a key hash) to prove a request for it")
            }
            let request = try SPKIInput.tag(tag)
            let time = try at.map { try SPKIInput.time($0, option: "--at") } ?? SPKIInput.now()
            var builder = CertBag.Builder(keys: try SPKIInput.keyStore(keys))
            for path in certs {
                let files = try SPKIInput.files(path)
                let inDirectory = files != [path]
                for file in files { try SPKIInput.add(file: file, to: &builder, lenient: inDirectory) }
            }
            let bag = builder.build()
            let unusable = bag.entries.filter { $0.status.problem != nil }.count
            if unusable > 0 {
                Console.err("warning: \(unusable) of \(bag.entries.count) certs have no valid signature and were not used")
            }
            switch ChainFinder(acl: aclValue, bag: bag).find(requester: requester, request: request, at: time) {
            case .authorized(let chain):
                for index in chain.certs {
                    if case .verified(let legacy?) = bag.entries[index].status {
                        Console.err("warning: \(bag.label(index)) is signed with \(legacy.rawValue), accepted only for legacy objects")
                    }
                }
                let sequence = chain.sequence(in: bag).sexp
                try CommandRunner.emit(canonical ? sequence.canonical : Array((sequence.advanced() + "\n").utf8), to: output)
            case .refused(let refusal):
                throw CommandFailure(.refused, "\(requester) is not authorized for \(request.field) at \(time): "
                                     + RefusalRenderer(acl: aclValue, bag: bag).render(refusal))
            }
        }
    }
}
