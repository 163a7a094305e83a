import SExpr
import SPKI
import XCTest

/// Reading and writing certs, ACLs, sequences, dates and validity.
final class CertTests: XCTestCase {
    typealias F = Fixtures
    let h = "(hash sha256 |47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=|)"

    func parse(_ text: String) throws -> Cert {
        var warnings: [SPKIWarning] = []
        return try Cert(parsing: SExpr.parse(text), warnings: &warnings)
    }

    func assertError(_ text: String, _ code: SPKIError.Code, field: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(text), file: file, line: line) { error in
            let e = error as? SPKIError
            XCTAssertEqual(e?.code, code, "\(error)", file: file, line: line)
            if let field { XCTAssertEqual(e?.field, field, "\(error)", file: file, line: line) }
        }
    }

    func testFieldsAreWrittenInTheDraftsOrder() throws {
        var cert = Cert(issuer: F.principal("I"), subject: .principal(F.principal("S")), tag: tag("(ftp)"), propagate: true,
                        validity: F.validity("2026-01-01_00:00:00", "2026-02-01_00:00:00"), comment: "hello")
        cert.version = SExpr.Atom("0")
        cert.display = SExpr.Atom("text/plain")
        cert.issuerInfo = ["issuer-info", "x"]
        cert.subjectInfo = ["subject-info", "y"]
        let heads = cert.sexp.tail.compactMap(\.head)
        XCTAssertEqual(heads, ["version", "display", "issuer", "issuer-info", "subject", "subject-info", "propagate", "tag", "valid", "comment"])
        var warnings: [SPKIWarning] = []
        let back = try Cert(parsing: SExpr.parse(cert.sexp.canonical), warnings: &warnings)
        XCTAssertEqual(back.sexp, cert.sexp)
        XCTAssertTrue(warnings.isEmpty)
    }

    func testOutOfOrderAndRepeatedFieldsAreNamed() {
        assertError("(cert (subject \(h)) (issuer \(h)) (tag (*)))", .fieldOutOfOrder, field: "issuer")
        assertError("(cert (issuer \(h)) (subject \(h)) (valid) (tag (*)))", .fieldOutOfOrder, field: "tag")
        assertError("(cert (issuer \(h)) (subject \(h)) (tag (*)) (tag (*)))", .repeatedField, field: "tag")
        assertError("(cert (issuer \(h)) (issuer \(h)) (subject \(h)) (tag (*)))", .repeatedField, field: "issuer")
        assertError("(cert (issuer \(h)) (subject \(h)) (tag (*)) (bogus))", .unknownField, field: "bogus")
        assertError("(cert (subject \(h)) (tag (*)))", .missingField, field: "issuer")
        assertError("(cert (issuer \(h)) (tag (*)))", .missingField, field: "subject")
        assertError("(cert (issuer \(h)) (subject \(h)))", .missingField, field: "tag")
        assertError("(cert (issuer \(h)) (subject \(h)) (propagate x) (tag (*)))", .malformedField, field: "propagate")
        assertError("(cert (issuer (hash sha256 |AAAA|)) (subject \(h)) (tag (*)))", .badPrincipal)
        assertError("(cert (issuer \(h)) (subject (frob)) (tag (*)))", .badSubject)
        assertError("(cert (issuer \(h)) (subject \(h)) (tag (*)) (valid (not-after \"1900-02-29_00:00:00\")))", .badDate, field: "not-after")
        assertError("(cert (issuer \(h)) (subject \(h)) (tag (*)) (valid (not-after \"2026-01-01_00:00:00\") (not-before \"2025-01-01_00:00:00\")))", .fieldOutOfOrder, field: "not-before")
        assertError("(cert (issuer (name \(h) a)) (subject \(h)) (tag (*)))", .malformedField, field: "tag")
        assertError("(cert (issuer \(h)) (subject (k-of-n \"3\" \"2\" \(h) \(h))) (tag (*)))", .badThreshold)
    }

    func testNameCertsAndSubjects() throws {
        let nameCert = try parse("(cert (issuer (name \(h) staff)) (subject (name \(h) alice bob)))")
        XCTAssertTrue(nameCert.isNameCert)
        XCTAssertNil(nameCert.tag)
        let threshold = try parse("(cert (issuer \(h)) (subject (k-of-n \"2\" \"3\" \(h) (name x) (object-hash (hash sha256 |AA==|)))) (tag (*)))")
        guard case .threshold(2, let members) = threshold.subject else { return XCTFail("expected a threshold") }
        XCTAssertEqual(members.count, 3)
        XCTAssertEqual(try parse(threshold.sexp.description).sexp, threshold.sexp)
        let keyholder = try parse("(cert (issuer \(h)) (subject (keyholder \(h))) (tag (*)))")
        guard case .keyholder = keyholder.subject else { return XCTFail("expected a keyholder") }
    }

    func testTruncatedDatesAreAcceptedWithAWarning() throws {
        var warnings: [SPKIWarning] = []
        let cert = try Cert(parsing: SExpr.parse("(cert (issuer \(h)) (subject \(h)) (tag (*)) (valid (not-before \"2000\") (not-after \"2000-05-05_17:20\")))"),
                            warnings: &warnings)
        XCTAssertEqual(cert.validity.notBefore, F.date("2000-01-01_00:00:00"))
        XCTAssertEqual(cert.validity.notAfter, F.date("2000-05-05_17:20:00"))
        XCTAssertEqual(warnings.map(\.code), [.truncatedDate, .truncatedDate])
        XCTAssertEqual(cert.validity.sexp?.description, "(valid (not-before \"2000-01-01_00:00:00\") (not-after \"2000-05-05_17:20:00\"))")
    }

    func testDates() throws {
        XCTAssertEqual(F.date("1970-01-01_00:00:00").secondsSinceEpoch, 0)
        XCTAssertEqual(F.date("2026-12-02_10:00:00").description, "2026-12-02_10:00:00")
        XCTAssertEqual(try SPKIDate.parse(commandLine: "2026-12-02T10:00:00Z").date, F.date("2026-12-02_10:00:00"))
        XCTAssertEqual(try SPKIDate.parse(commandLine: "2026-12-02T11:30:00.25+01:30").date, F.date("2026-12-02_10:00:00"))
        XCTAssertEqual(F.date("2026-12-02_10:00:00").rfc3339, "2026-12-02T10:00:00Z")
        XCTAssertEqual(F.date("0001-03-01_00:00:00").description, "0001-03-01_00:00:00")
        for bad in ["2026-13-01_00:00:00", "2026-04-31_00:00:00", "2026-12-02_24:00:00", "2026-12-02 10:00:00", "2026-1", "20261202"] {
            XCTAssertThrowsError(try SPKIDate.parse(spki: Array(bad.utf8)), bad)
        }
        for bad in ["2026-12-02T10:00:00", "2026-12-02T10:00:00+1", "2026-12-02T10:00:00.Z", "9999-12-31T23:00:00-05:00", "yesterday"] {
            XCTAssertThrowsError(try SPKIDate.parse(commandLine: bad), bad)
        }
    }

    func testValidityIntersection() {
        let a = F.validity("2026-01-01", "2026-06-01"), b = F.validity("2026-03-01", nil)
        XCTAssertEqual(a.intersection(b), F.validity("2026-03-01", "2026-06-01"))
        XCTAssertTrue(a.intersection(F.validity("2026-07-01", nil)).isEmpty)
        XCTAssertTrue(a.contains(F.date("2026-06-01")), "bounds are inside")
        XCTAssertFalse(a.contains(F.date("2026-06-01_00:00:01")))
        XCTAssertNil(Validity.always.sexp)
    }

    func testACLAcceptsBareAndWrappedSubjects() throws {
        var warnings: [SPKIWarning] = []
        let acl = try ACL(parsing: SExpr.parse("(acl (version \"0\") (entry \(h) (propagate) (tag (ftp))) (entry (subject \(h))) )"), warnings: &warnings)
        XCTAssertEqual(acl.entries.count, 2)
        XCTAssertTrue(acl.entries[0].propagate)
        XCTAssertEqual(acl.entries[1].tag, .all, "an entry without a tag grants (tag (*))")
        XCTAssertEqual(acl.entries[1].sexp.description, "(entry \(h) (tag (*)))")
        XCTAssertThrowsError(try ACL(parsing: SExpr.parse("(acl (entry (tag (*)) \(h)))"), warnings: &warnings)) { error in
            XCTAssertEqual((error as? SPKIError)?.code, .fieldOutOfOrder)
        }
        XCTAssertThrowsError(try ACL(parsing: SExpr.parse("(acl (entry \(h)) (cert))"), warnings: &warnings))
    }

    func testSequences() throws {
        var warnings: [SPKIWarning] = []
        let sequence = try SPKISequence(parsing: SExpr.parse("(sequence (cert (issuer \(h)) (subject \(h)) (tag (*))) (do hash sha256))"), warnings: &warnings)
        XCTAssertEqual(sequence.items.count, 2)
        XCTAssertThrowsError(try SPKISequence(parsing: SExpr.parse("(sequence (acl))"), warnings: &warnings)) { error in
            XCTAssertEqual((error as? SPKIError)?.code, .badSequence)
        }
        XCTAssertThrowsError(try SPKISequence(parsing: SExpr.parse("(sequence (signature (hash sha256 |AA==|)))"), warnings: &warnings)) { error in
            XCTAssertEqual((error as? SPKIError)?.code, .badSignature)
        }
    }
}
