import ArgumentParser
import RSA
import SExpr
import SPKI
import ToolSupport

struct CertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Make and sign an authorization cert.",
        discussion: """
            Prints (sequence CERT SIGNATURE): the cert, fields in the order of \
            draft-ietf-spki-cert-structure-06, and the issuer's signature over its canonical \
            bytes (rsa-pkcs1-sha256).

            The subject is an S-expression in any form: (public-key ...), (hash sha256 |...|), \
            (name KEY n ...) or (k-of-n ...); or @FILE, a file holding one, or a key in any \
            format (PEM, OpenSSH, S-expression). The tag is (tag T) or a bare T. Times are \
            SPKI (2026-12-02_10:00:00) or RFC 3339 (2026-12-02T10:00:00Z), in UTC.

            Examples:
              spki cert --issuer registrar.key --subject @alice.pub \\
                --tag '(vm "bronze-standard" ssh)' --not-after 2026-12-03_00:00:00 -o alice.cert
              spki cert --issuer vm1.key --subject @registrar.pub --tag '(tag (*))' --propagate
            """)

    @Option(name: .long, help: "The issuer's private key file (any format).")
    var issuer: String

    @Option(name: .long, help: "The subject: an S-expression, or @FILE.")
    var subject: String

    @Option(name: .long, help: "The tag: (tag T) or T, or @FILE.")
    var tag: String

    @Flag(name: .long, help: "Allow the subject to delegate.")
    var propagate = false

    @Option(name: .long, help: "Start of validity (SPKI or RFC 3339 time, UTC).")
    var notBefore: String?

    @Option(name: .long, help: "End of validity (SPKI or RFC 3339 time, UTC).")
    var notAfter: String?

    @Option(name: .long, help: "A comment stored in the cert.")
    var comment: String?

    @Flag(name: .long, help: "Write the canonical form instead of the advanced form.")
    var canonical = false

    @Option(name: .short, help: "Write to FILE atomically instead of standard output.")
    var output: String?

    func run() throws {
        try CommandRunner.run {
            let keyFile = try KeyInput.load(issuer)
            guard keyFile.isPrivate else {
                throw CommandFailure(.badInput, "\(issuer): the file holds a public key; signing a cert needs the issuer's private key")
            }
            let subjectValue = try SPKIInput.subject(subject)
            let tagValue = try SPKIInput.tag(tag)
            if tagValue == .none {
                throw CommandFailure(.badInput, "--tag `\(tag)` grants nothing (it is the empty tag)")
            }
            if case .and = tagValue {
                Console.err("warning: the tag uses (* and ...), which only spki reads")
            }
            let start = try notBefore.map { try SPKIInput.time($0, option: "--not-before") }
            let end = try notAfter.map { try SPKIInput.time($0, option: "--not-after") }
            if let start, let end, start > end {
                throw CommandFailure(.badInput, "--not-before \(start) is after --not-after \(end): the cert would never be valid")
            }
            let cert = Cert(issuer: Principal(key: keyFile), subject: subjectValue, tag: tagValue, propagate: propagate,
                            validity: Validity(notBefore: start, notAfter: end), comment: comment.map { SExpr.string($0) })
            let signature: SPKISignature
            do {
                signature = try cert.sign(with: keyFile)
            } catch let error as SPKIError {
                throw SPKIInput.failure(error, in: issuer)
            }
            let sequence = SPKISequence(items: [.cert(cert), .signature(signature)]).sexp
            let bytes = canonical ? sequence.canonical : Array((sequence.advanced() + "\n").utf8)
            try CommandRunner.emit(bytes, to: output)
        }
    }
}
