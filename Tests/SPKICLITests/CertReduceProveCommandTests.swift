import Foundation
import SExpr
import TestSupport
import XCTest

/// spki cert, reduce and prove: the paper's flows end to end, each refusal reason, bad input.
final class CertReduceProveCommandTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try SPKITool.temporaryDirectory(self)
        for name in ["r", "h", "u", "u2"] {
            let generated = try SPKITool.run(["keygen", "-o", path(name)])
            XCTAssertEqual(generated.status, 0, generated.stderrText)
        }
        try write("(acl (entry \(try text("r.pub")) (propagate) (tag (*))))", "r.acl")
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    @discardableResult
    func write(_ text: String, _ name: String) throws -> String {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    func text(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }

    @discardableResult
    func cert(_ issuer: String, _ subject: String, _ tag: String, _ name: String, extra: [String] = []) throws -> ExternalTool.Result {
        let result = try SPKITool.run(["cert", "--issuer", path(issuer + ".key"), "--subject", "@" + path(subject + ".pub"),
                                       "--tag", tag, "-o", path(name)] + extra)
        XCTAssertEqual(result.status, 0, result.stderrText)
        return result
    }

    func testCertIsASignedSequenceInTheDraftsOrder() throws {
        try cert("r", "h", "(vm r1 (* set ssh console))", "rh.cert",
                 extra: ["--propagate", "--not-before", "2026-12-01T00:00:00Z", "--not-after", "2026-12-31_00:00:00", "--comment", "for H"])
        let sequence = try SExpr.parse(Array(text("rh.cert").utf8))
        XCTAssertEqual(sequence.head, "sequence")
        let cert = Array(sequence.tail)[0], signature = Array(sequence.tail)[1]
        XCTAssertEqual(cert.tail.compactMap(\.head), ["issuer", "subject", "propagate", "tag", "valid", "comment"])
        XCTAssertEqual(cert.first("valid")?.description, "(valid (not-before \"2026-12-01_00:00:00\") (not-after \"2026-12-31_00:00:00\"))")
        XCTAssertEqual(signature.head, "signature")
        // spki verify checks the signature over the cert's canonical bytes.
        try write(cert.description, "cert-only.sexp")
        try write(signature.description, "cert.sig")
        let verified = try SPKITool.run(["verify", "--key", path("r.pub"), "--signature", path("cert.sig"), path("cert-only.sexp")])
        XCTAssertEqual(verified.status, 0, verified.stderrText)
        // --canonical writes canonical bytes.
        let canonical = try SPKITool.run(["cert", "--issuer", path("r.key"), "--subject", "@" + path("h.pub"), "--tag", "(tag (*))", "--canonical"])
        XCTAssertEqual(canonical.status, 0, canonical.stderrText)
        XCTAssertTrue(canonical.stdoutText.hasPrefix("(8:sequence(4:cert(6:issuer"))
    }

    func testCertRefusesBadInput() throws {
        let cases: [[String]] = [
            ["--issuer", path("r.pub"), "--subject", "@" + path("h.pub"), "--tag", "(x)"],
            ["--issuer", path("r.key"), "--subject", "(frob)", "--tag", "(x)"],
            ["--issuer", path("r.key"), "--subject", "@" + path("missing.pub"), "--tag", "(x)"],
            ["--issuer", path("r.key"), "--subject", "@" + path("h.pub"), "--tag", "(* range numeric ge abc)"],
            ["--issuer", path("r.key"), "--subject", "@" + path("h.pub"), "--tag", "(* set)"],
            ["--issuer", path("r.key"), "--subject", "@" + path("h.pub"), "--tag", "(x", ],
            ["--issuer", path("r.key"), "--subject", "@" + path("h.pub"), "--tag", "(x)", "--not-after", "1900-02-29_00:00:00"],
            ["--issuer", path("r.key"), "--subject", "@" + path("h.pub"), "--tag", "(x)", "--not-before", "2027-01-01", "--not-after", "2026-01-01"],
        ]
        for arguments in cases {
            let result = try SPKITool.run(["cert"] + arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderrText)")
            XCTAssertTrue(result.stderrText.contains("error: "), result.stderrText)
        }
        let truncated = try SPKITool.run(["cert", "--issuer", path("r.key"), "--subject", "@" + path("h.pub"), "--tag", "(x)", "--not-after", "2027"])
        XCTAssertEqual(truncated.status, 0)
        XCTAssertTrue(truncated.stderrText.contains("truncated date"), truncated.stderrText)
    }

    /// The paper's basic flow: R → H (propagate), H → U; R reduces against its ACL.
    func testReduceBasicFlowAndFilters() throws {
        try cert("r", "h", "(vm r1 (* set ssh console))", "rh.cert", extra: ["--propagate", "--not-after", "2026-12-31_00:00:00"])
        try cert("h", "u", "(vm r1 ssh)", "hu.cert", extra: ["--not-before", "2026-12-01_00:00:00"])
        let chain = try write(try text("rh.cert") + text("hu.cert"), "chain.sexp")
        let reduced = try SPKITool.run(["reduce", "--acl", path("r.acl"), chain])
        XCTAssertEqual(reduced.status, 0, reduced.stderrText)
        let acl = try SExpr.parse(Array(reduced.stdoutText.utf8))
        XCTAssertEqual(acl.head, "acl")
        let entries = Array(acl.tail)
        XCTAssertEqual(entries.count, 2)
        XCTAssertEqual(entries[0].first("tag")?.description, "(tag (vm r1 ssh))", "newest (longest chain) first")
        XCTAssertEqual(entries[0].first("valid")?.description, "(valid (not-before \"2026-12-01_00:00:00\") (not-after \"2026-12-31_00:00:00\"))")
        XCTAssertNil(entries[0].first("propagate"))
        // Filters.
        let forU = try SPKITool.run(["reduce", "--acl", path("r.acl"), "--subject", "@" + path("u.pub"), "--tag", "(vm r1)",
                                     "--at", "2026-12-02T10:00:00Z", "--canonical", chain])
        XCTAssertEqual(forU.status, 0, forU.stderrText)
        XCTAssertEqual(try SExpr.parse(forU.stdout).tail.count, 1)
        XCTAssertTrue(forU.stdoutText.hasPrefix("(3:acl(5:entry"))
        let window = try SPKITool.run(["reduce", "--acl", path("r.acl"), "--valid", "(valid (not-before \"2026-12-10_00:00:00\"))", chain])
        XCTAssertEqual(window.status, 0, window.stderrText)
        XCTAssertTrue(window.stdoutText.contains("2026-12-10_00:00:00"))
        // Refusals: exit 1 with the reason.
        let console = try SPKITool.run(["reduce", "--acl", path("r.acl"), "--subject", "@" + path("u.pub"), "--tag", "(vm r1 console)", chain])
        XCTAssertEqual(console.status, 1)
        XCTAssertTrue(console.stderrText.contains("does not include the request"), console.stderrText)
        XCTAssertTrue(console.stderrText.contains("(tag (vm r1 ssh))"), console.stderrText)
        let late = try SPKITool.run(["reduce", "--acl", path("r.acl"), "--at", "2027-01-02_00:00:00", chain])
        XCTAssertEqual(late.status, 1)
        XCTAssertTrue(late.stderrText.contains("the validity ended at 2026-12-31_00:00:00"), late.stderrText)
        let output = path("out.acl")
        XCTAssertEqual(try SPKITool.run(["reduce", "--acl", path("r.acl"), "-o", output, chain]).status, 0)
        XCTAssertEqual(try text("out.acl"), reduced.stdoutText)
    }

    func testReduceRefusesBadSignaturesAndSaysWhenUnsigned() throws {
        try cert("r", "h", "(vm r1)", "rh.cert", extra: ["--propagate"])
        // Change the tag after signing: the signature no longer covers the cert.
        let tampered = try write(try text("rh.cert").replacingOccurrences(of: "(tag (vm r1))", with: "(tag (*))"), "tampered.sexp")
        let refused = try SPKITool.run(["reduce", "--acl", path("r.acl"), tampered])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderrText.contains("cert 1 (") && refused.stderrText.contains("no signature covers it"), refused.stderrText)
        // A cert signed by the wrong key.
        let sequence = try SExpr.parse(Array(text("rh.cert").utf8))
        let cert = Array(sequence.tail)[0]
        try write(cert.description, "cert-only.sexp")
        let forged = try SPKITool.run(["sign", "--key", path("h.key"), path("cert-only.sexp")])
        let wrong = try write("(sequence \(cert.description) \(forged.stdoutText))", "wrong.sexp")
        let wrongKey = try SPKITool.run(["reduce", "--acl", path("r.acl"), wrong])
        XCTAssertEqual(wrongKey.status, 1)
        XCTAssertTrue(wrongKey.stderrText.contains("another key"), wrongKey.stderrText)
        // --unsigned reduces anyway and says so.
        let unsigned = try SPKITool.run(["reduce", "--acl", path("r.acl"), "--unsigned", tampered])
        XCTAssertEqual(unsigned.status, 0, unsigned.stderrText)
        XCTAssertTrue(unsigned.stderrText.contains("NOT checked"), unsigned.stderrText)
    }

    /// Issuers named by hash: their keys come from the sequence, or from --keys.
    func testHashPrincipalsResolveThroughKeys() throws {
        let shown = try SPKITool.run(["key", "show", path("r.pub")])
        let principal = try XCTUnwrap(shown.stdoutText.split(separator: "\n").first { $0.hasPrefix("principal: ") }?.dropFirst(11))
        let certText = "(cert (issuer \(principal)) (subject \(try text("u.pub"))) (tag (vm r1 ssh)))"
        try write(certText, "hashed.sexp")
        let signed = try SPKITool.run(["sign", "--key", path("r.key"), path("hashed.sexp")])
        XCTAssertEqual(signed.status, 0, signed.stderrText)
        // The signature names its signer by hash too: no key anywhere.
        var parts = Array(try SExpr.parse(Array(signed.stdoutText.utf8)).listValue!)
        parts[2] = try SExpr.parse(String(principal))
        let sequence = try write("(sequence \(certText) \(SExpr.list(parts).description))", "hashed-seq.sexp")
        let unknown = try SPKITool.run(["reduce", "--acl", path("r.acl"), sequence])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderrText.contains("--keys"), unknown.stderrText)
        let known = try SPKITool.run(["reduce", "--acl", path("r.acl"), "--keys", path("r.pub"), sequence])
        XCTAssertEqual(known.status, 0, known.stderrText)
        // prove presents the issuer's key with the chain.
        let proved = try SPKITool.run(["prove", "--acl", path("r.acl"), "--keys", path("r.pub"), "--certs", sequence,
                                       "--subject", "@" + path("u.pub"), "--tag", "(vm r1 ssh)"])
        XCTAssertEqual(proved.status, 0, proved.stderrText)
        XCTAssertEqual(try SExpr.parse(Array(proved.stdoutText.utf8)).tail.map { $0.head ?? "" }, ["public-key", "cert", "signature"])
    }

    /// A registrar's chains document: each machine's sequence reduced against its own ACL,
    /// `(machine M (acl ...))` each; a pending chain or a refusal names its machine (exit 1).
    func testReduceChainsDocument() throws {
        try cert("r", "h", "(vm r1 (* set ssh console))", "rh.cert", extra: ["--propagate", "--not-after", "2026-12-31_00:00:00"])
        try cert("h", "u", "(vm r1 ssh)", "hu.cert", extra: ["--not-before", "2026-12-01_00:00:00"])
        let items = Array(try SExpr.parse(Array(text("rh.cert").utf8)).tail) + Array(try SExpr.parse(Array(text("hu.cert").utf8)).tail)
        let acl = try SExpr.parse(Array(text("r.acl").utf8))
        let complete: SExpr = ["machine-chain", ["machine", .string("node[1]")], acl, .list(["sequence"] + items)]
        let pending: SExpr = ["machine-chain", ["machine", .string("node[2]")], acl, ["pending", items[0]]]
        func chains(_ machines: SExpr...) throws -> String {
            let document: SExpr = .list(["chains", ["vpxi", "seg"], ["user", "u"], ["epoch", .string("0")]] + machines)
            return try write(document.advanced(), "u.chains")
        }
        let one = try SPKITool.run(["reduce", "--subject", "@" + path("u.pub"), "--at", "2026-12-02T10:00:00Z", try chains(complete)])
        XCTAssertEqual(one.status, 0, one.stderrText)
        let reduced = try SExpr.parse(one.stdout)
        XCTAssertEqual(reduced.head, "machine")
        XCTAssertEqual(reduced.tail.first?.text, "node[1]")
        XCTAssertEqual(reduced.first("acl")?.tail.count, 1)
        XCTAssertEqual(reduced.first("acl")?.tail.first?.first("tag")?.description, "(tag (vm r1 ssh))")

        let both = try SPKITool.run(["reduce", "--subject", "@" + path("u.pub"), try chains(complete, pending)])
        XCTAssertEqual(both.status, 1, both.stderrText)
        XCTAssertEqual(try SExprParser().parse(both.stdout).values.count, 1, "node[1] is still printed")
        XCTAssertTrue(both.stderrText.contains("machine `node[2]`: the chain is incomplete (1 cert pending)"), both.stderrText)

        let console = try SPKITool.run(["reduce", "--tag", "(vm r1 console)", "--subject", "@" + path("u.pub"), try chains(complete)])
        XCTAssertEqual(console.status, 1, console.stderrText)
        XCTAssertTrue(console.stderrText.contains("machine `node[1]`: no authorization remains"), console.stderrText)
        XCTAssertEqual(console.stdoutText, "")

        let withACL = try SPKITool.run(["reduce", "--acl", path("r.acl"), try chains(complete)])
        XCTAssertEqual(withACL.status, 2, withACL.stderrText)
        XCTAssertTrue(withACL.stderrText.contains("is a chains document, which carries each machine's ACL\nhelp: leave --acl out"), withACL.stderrText)
        let noACL = try SPKITool.run(["reduce", path("rh.cert")])
        XCTAssertEqual(noACL.status, 2, noACL.stderrText)
        XCTAssertTrue(noACL.stderrText.contains("--acl is needed"), noACL.stderrText)
        let empty = try SPKITool.run(["reduce", try chains()])
        XCTAssertEqual(empty.status, 2, empty.stderrText)
        XCTAssertTrue(empty.stderrText.contains("holds no `(machine-chain …)`"), empty.stderrText)
    }

    func testReduceRefusesMalformedInput() throws {
        try cert("r", "h", "(vm r1)", "rh.cert")
        let cases: [([String], String)] = [
            (["--acl", path("missing.acl"), path("rh.cert")], "cannot read"),
            (["--acl", path("rh.cert"), path("rh.cert")], "expected an `(acl …)`"),
            // Every machine's ACL one after the other (a compiled `acl/VPXI`): how to take one.
            (["--acl", try write(try text("r.acl") + "\n" + text("r.acl"), "two.acl"), path("rh.cert")],
             "this one holds 2 expressions\nhelp: a compiled `acl/VPXI` holds every machine's ACL"),
            (["--acl", try write(try text("r.acl") + "\n(x)", "mixed.acl"), path("rh.cert")], "this one holds 2 expressions"),
            (["--acl", path("r.acl"), try write("(sequence (cert (subject (hash sha256 |AA==|)) (issuer (hash sha256 |AA==|))))", "bad.sexp")], "P"),
            (["--acl", path("r.acl"), try write("(sequence (cert", "truncated.sexp")], "r"),
            (["--acl", path("r.acl"), "--tag", "(* range)", path("rh.cert")], "range"),
            (["--acl", path("r.acl"), "--at", "yesterday", path("rh.cert")], "not a date"),
            (["--acl", path("r.acl"), "--valid", "(valid (not-after \"2026-02-30_00:00:00\"))", path("rh.cert")], "28 days"),
        ]
        for (arguments, expected) in cases {
            let result = try SPKITool.run(["reduce"] + arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderrText)")
            XCTAssertTrue(result.stderrText.contains(expected), "\(arguments): \(result.stderrText)")
        }
        let outOfOrder = try write("(sequence (cert (subject (hash sha256 |47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=|)) (issuer (hash sha256 |47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=|)) (tag (*))))", "order.sexp")
        let result = try SPKITool.run(["reduce", "--acl", path("r.acl"), outOfOrder])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderrText.contains("the field `issuer` comes after `subject`"), result.stderrText)
    }

    /// The paper's secondary user flow, found by prove in a directory of certs.
    func testProveFindsTheChainAndExplainsRefusals() throws {
        let certs = directory.appendingPathComponent("certs")
        try FileManager.default.createDirectory(at: certs, withIntermediateDirectories: true)
        try cert("r", "h", "(vm r1 (* set ssh console))", "certs/1.cert", extra: ["--propagate", "--not-after", "2026-12-31_00:00:00"])
        try cert("h", "u", "(vm r1 (* set ssh console))", "certs/2.cert", extra: ["--propagate"])
        try cert("u", "u2", "(vm r1 ssh)", "certs/3.cert")
        try write("not an s-expression ((", "certs/notes.txt")
        let proved = try SPKITool.run(["prove", "--acl", path("r.acl"), "--certs", certs.path, "--subject", "@" + path("u2.pub"),
                                       "--tag", "(vm r1 ssh)", "--at", "2026-12-02T10:00:00Z"])
        XCTAssertEqual(proved.status, 0, proved.stderrText)
        let sequence = try SExpr.parse(Array(proved.stdoutText.utf8))
        XCTAssertEqual(sequence.tail.map { $0.head ?? "" }, ["cert", "signature", "cert", "signature", "cert", "signature"])
        XCTAssertTrue(proved.stderrText.contains("skipped"), proved.stderrText)
        // What prove prints, reduce accepts.
        let chain = try write(proved.stdoutText, "chain.sexp")
        let reduced = try SPKITool.run(["reduce", "--acl", path("r.acl"), "--subject", "@" + path("u2.pub"), chain])
        XCTAssertEqual(reduced.status, 0, reduced.stderrText)

        func refusal(_ tag: String, at: String = "2026-12-02_10:00:00", subject: String = "u2") throws -> String {
            let result = try SPKITool.run(["prove", "--acl", path("r.acl"), "--certs", certs.path, "--subject", "@" + path(subject + ".pub"),
                                           "--tag", tag, "--at", at])
            XCTAssertEqual(result.status, 1, result.stderrText)
            return result.stderrText
        }
        let console = try refusal("(vm r1 console)")
        XCTAssertTrue(console.contains("link 3") && console.contains("does not include the request"), console)
        XCTAssertTrue(console.contains("request: (tag (vm r1 console))"), console)
        let late = try refusal("(vm r1 ssh)", at: "2027-02-01T00:00:00Z")
        XCTAssertTrue(late.contains("link 1") && late.contains("validity ended at 2026-12-31_00:00:00"), late)
        XCTAssertEqual(try SPKITool.run(["keygen", "-o", path("x")]).status, 0)
        let stranger = try refusal("(vm r1 ssh)", subject: "x")
        XCTAssertTrue(stranger.contains("no cert leads from"), stranger)
        // Without propagate on H → U, the chain breaks at link 2.
        try cert("h", "u", "(vm r1 (* set ssh console))", "certs/2.cert")
        let noDelegation = try refusal("(vm r1 ssh)")
        XCTAssertTrue(noDelegation.contains("delegation is not allowed at link 2"), noDelegation)
        // Bad input is exit 2.
        let badSubject = try SPKITool.run(["prove", "--acl", path("r.acl"), "--certs", certs.path, "--subject", "(name foo)", "--tag", "(x)"])
        XCTAssertEqual(badSubject.status, 2, badSubject.stderrText)
        let missing = try SPKITool.run(["prove", "--acl", path("r.acl"), "--certs", path("nowhere"), "--subject", "@" + path("u.pub"), "--tag", "(x)"])
        XCTAssertEqual(missing.status, 2, missing.stderrText)
    }
}
