import Foundation
import Registrar
import RSA
import SExpr
import SPKI
import TestSupport
import XCTest

/// `Docs/registrar-openapi.yaml` against the server: it is a valid OpenAPI 3.1 document
/// (openapi-spec-validator), every route the registrar serves is in it and it holds no
/// other, and its examples have the shape of what the server accepts and answers: the
/// request examples that can be sent as written are sent (re-signed with a fresh time and
/// nonce), with the documented status, and every answer example is compared with a real
/// answer.
final class OpenAPITests: RegistrarScratchTestCase {
    static let document = "Docs/registrar-openapi.yaml"

    /// The document as JSON (PyYAML), or a skip (a failure under CI) without PyYAML.
    func loadDocument() throws -> [String: Any] {
        let python = try ExternalTool.require("python3", package: "python3")
        let probe = try ExternalTool.run(python, ["-c", "import yaml"])
        if probe.status != 0 {
            if ExternalTool.isCI { XCTFail("python3-yaml is required under CI=true") }
            throw XCTSkip("python3's yaml is not installed (Debian package python3-yaml)")
        }
        let path = PackagePaths.root.appendingPathComponent(Self.document).path
        let result = try ExternalTool.run(python, ["-c", "import sys, yaml, json; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)", path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
    }

    func testDocumentIsValidOpenAPI31() throws {
        let python = try ExternalTool.require("python3", package: "python3")
        let probe = try ExternalTool.run(python, ["-c", "import openapi_spec_validator"])
        if probe.status != 0 {
            if ExternalTool.isCI { return XCTFail("openapi-spec-validator is required under CI=true (pip install openapi-spec-validator)") }
            throw XCTSkip("Python's openapi-spec-validator is not installed")
        }
        let path = PackagePaths.root.appendingPathComponent(Self.document).path
        let script = """
            import sys
            from openapi_spec_validator import validate
            from openapi_spec_validator.readers import read_from_filename
            spec, _ = read_from_filename(sys.argv[1])
            assert spec['openapi'].startswith('3.1'), spec['openapi']
            validate(spec)
            """
        let result = try ExternalTool.run(python, ["-c", script, path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        // The validator does refuse a broken document.
        let broken = directory.appendingPathComponent("broken.yaml")
        try Data(try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "responses:", with: "answers:").utf8).write(to: broken)
        XCTAssertNotEqual(try ExternalTool.run(python, ["-c", script, broken.path]).status, 0)
    }

    /// Every route the router serves is documented, and every documented path and method
    /// is served; every error code is listed with its status.
    func testRoutesMatchTheDocument() async throws {
        let document = try loadDocument()
        let paths = try XCTUnwrap(document["paths"] as? [String: [String: Any]])
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
        let documented = paths.flatMap { path, item in item.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" } }.sorted()
        let database = try await SQLiteStore.open(path: directory.appendingPathComponent("r.sqlite").path)
        let service = RegistrarService(configuration: .init(name: "lyon", key: try RegistrarFixture.corpusKey("lyon")), database: database)
        let served = RegistrarServer(service: service).routes
        await database.close()
        XCTAssertEqual(served.count, 12, "\(served)")
        XCTAssertEqual(Set(served).subtracting(documented).sorted(), [], "served but not documented")
        XCTAssertEqual(Set(documented).subtracting(served).sorted(), [], "documented but not served")
        XCTAssertEqual(served, documented)

        let codes = try XCTUnwrap(document["x-error-codes"] as? [String: Int])
        XCTAssertEqual(Set(codes.keys), Set(RegistrarError.Code.allCases.map(\.rawValue)))
        for code in RegistrarError.Code.allCases {
            XCTAssertEqual(codes[code.rawValue], RegistrarError(code, "").status, code.rawValue)
        }
    }

    /// The heads of an S-expression's lists down to `depth`, as paths (`vpxi/chains/user`).
    static func shape(_ value: SExpr, depth: Int, prefix: String = "") -> Set<String> {
        guard depth > 0, let head = value.head else { return [] }
        let path = prefix.isEmpty ? head : prefix + "/" + head
        return value.tail.reduce(into: [path]) { $0.formUnion(shape($1, depth: depth - 1, prefix: path)) }
    }

    /// What the example shows exists in the real document (to depth 3), and the example
    /// shows every field of the real one (to depth 2).
    func assertShape(_ example: String?, _ actual: SExpr?, _ what: String, line: UInt = #line) {
        guard let example, let actual else { return XCTFail("\(what): no example or no answer", line: line) }
        guard let parsed = try? SExpr.parse(Array(example.utf8)) else { return XCTFail("\(what): the example is not an S-expression:\n\(example)", line: line) }
        XCTAssertEqual(Self.shape(parsed, depth: 3).subtracting(Self.shape(actual, depth: 3)).sorted(), [], "\(what): in the example, not in the answer", line: line)
        XCTAssertEqual(Self.shape(actual, depth: 2).subtracting(Self.shape(parsed, depth: 2)).sorted(), [], "\(what): in the answer, not in the example", line: line)
    }

    /// The example of `path`'s `method`: the request body's, or the answer's for `status`.
    func example(_ document: [String: Any], _ path: String, _ method: String, status: String? = nil) -> String? {
        let paths = document["paths"] as? [String: Any]
        guard let operation = (paths?[path] as? [String: Any])?[method] as? [String: Any] else { return nil }
        let holder: [String: Any]?
        if let status {
            holder = (operation["responses"] as? [String: Any])?[status] as? [String: Any]
        } else {
            holder = operation["requestBody"] as? [String: Any]
        }
        let content = holder?["content"] as? [String: Any]
        let media = (content?["text/plain"] ?? content?["application/octet-stream"]) as? [String: Any]
        return media?["example"] as? String
    }

    /// The documented statuses of an operation.
    func statuses(_ document: [String: Any], _ path: String, _ method: String) -> Set<Int> {
        let operation = ((document["paths"] as? [String: Any])?[path] as? [String: Any])?[method] as? [String: Any]
        return Set(((operation?["responses"] as? [String: Any])?.keys ?? [:].keys).compactMap { Int($0) })
    }

    /// The arguments of a request example: the `(request ...)` of its `(signed-request ...)`
    /// without op, time and nonce.
    func arguments(_ example: String?, op: String, line: UInt = #line) throws -> [SExpr] {
        let envelope = try SExpr.parse(Array(try XCTUnwrap(example, "no request example for \(op)", line: line).utf8))
        XCTAssertEqual(envelope.head, "signed-request", line: line)
        let request = try XCTUnwrap(envelope.first("request"), line: line)
        XCTAssertEqual(request.first("op")?.tail.first?.text, op, line: line)
        XCTAssertNotNil(envelope.first("signature"), line: line)
        return request.tail.filter { !["op", "time", "nonce"].contains($0.head ?? "") }
    }

    func testExamplesMatchTheServer() async throws {
        let document = try loadDocument()
        let lyon = try RegistrarFixture.corpusKey("lyon")
        let alice = try RegistrarFixture.corpusKey("alice")
        let database = try await SQLiteStore.open(path: directory.appendingPathComponent("r.sqlite").path)
        let registrar = try await RunningRegistrar.start(database: database, name: "lyon", key: lyon)
        try await withCleanup([registrar]) {
            try await FlowTests.registerUsers(registrar.service)
            let keys = try RegistrarFixture.slotKeys()
            let now = RegistrarFixture.now

            // Enrollment: the example's certs are elided, so the fixture's request (the same
            // fields) is sent, and both are compared.
            let enrollExample = example(document, "/v1/enroll", "post")
            let token = try await registrar.service.createToken(host: "cap-01")
            let enrollment = try RegistrarFixture.enrollment(host: "cap-01", cpus: 4, slots: Array(keys[0..<4]), registrar: lyon, now: now, token: token)
            _ = try arguments(enrollExample, op: "enroll")
            assertShape(enrollExample, try RequestSigner.sign(op: "enroll", arguments: enrollment, key: keys[90], time: now), "enroll request")
            let enrolled = try await registrar.client.post("v1/enroll", op: "enroll", arguments: enrollment, key: keys[90], time: now)
            XCTAssertTrue(statuses(document, "/v1/enroll", "post").contains(enrolled.status))
            XCTAssertEqual(enrolled.status, 200, enrolled.text)
            assertShape(example(document, "/v1/enroll", "post", status: "200"), enrolled.sexp, "enroll answer")

            // Create: the example as written, its window moved to now.
            var createArguments = try arguments(example(document, "/v1/vpxis", "post"), op: "create-vpxi")
            let policy = try XCTUnwrap(createArguments.first?.tail.first?.text)
            let window = "window \(SPKIDate(secondsSinceEpoch: now - 600).rfc3339) .. \(SPKIDate(secondsSinceEpoch: now + 86400).rfc3339)"
            let moved = policy.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces).hasPrefix("window ") ? "  " + window : String($0) }.joined(separator: "\n")
            XCTAssertNotEqual(moved, policy)
            createArguments[0] = ["policy", .string(moved)]
            let created = try await registrar.client.post("v1/vpxis", op: "create-vpxi", arguments: createArguments, key: alice, time: now)
            XCTAssertEqual(created.status, 201, created.text)
            assertShape(example(document, "/v1/vpxis", "post", status: "201"), created.sexp, "create answer")
            XCTAssertEqual(created.sexp?.first("name")?.tail.first?.text, "seg")

            // The pulls.
            let status = try await registrar.client.get("v1/vpxis/seg")
            XCTAssertEqual(status.status, 200, status.text)
            assertShape(example(document, "/v1/vpxis/{vpxi}", "get", status: "200"), status.sexp, "status")
            let chains = try await registrar.client.get("v1/vpxis/seg/chains/alice")
            XCTAssertEqual(chains.status, 200, chains.text)
            assertShape(example(document, "/v1/vpxis/{vpxi}/chains/{user}", "get", status: "200"), chains.sexp, "chains")
            let unchanged = try await registrar.client.get("v1/vpxis/seg/chains/alice", ifNoneMatch: chains.etag)
            XCTAssertEqual(unchanged.status, 304)
            XCTAssertTrue(statuses(document, "/v1/vpxis/{vpxi}/chains/{user}", "get").isSuperset(of: [200, 304, 404]))
            let index = try await registrar.client.get("v1/hosts/cap-01/bundles")
            XCTAssertEqual(index.status, 200, index.text)
            assertShape(example(document, "/v1/hosts/{host}/bundles", "get", status: "200"), index.sexp, "bundle index")
            let bundle = try await registrar.client.get("v1/hosts/cap-01/bundles/seg")
            XCTAssertEqual(bundle.status, 200, bundle.text)
            assertShape(example(document, "/v1/hosts/{host}/bundles/{vpxi}", "get", status: "200"), bundle.sexp, "bundle")
            let missing = try await registrar.client.get("v1/hosts/cap-01/bundles/nothing")
            XCTAssertEqual(missing.status, 404)
            assertShape(((document["components"] as? [String: Any]).flatMap { $0["responses"] as? [String: Any] }
                .flatMap { $0["NotFound"] as? [String: Any] }?["content"] as? [String: Any])
                .flatMap { $0["text/plain"] as? [String: Any] }?["example"] as? String, missing.sexp, "not found error")

            // Add a user and release: the examples as written.
            let addArguments = try arguments(example(document, "/v1/vpxis/{vpxi}/users", "post"), op: "add-user")
            let added = try await registrar.client.post("v1/vpxis/seg/users", op: "add-user", arguments: addArguments, key: alice, time: now)
            XCTAssertEqual(added.status, 200, added.text)
            assertShape(example(document, "/v1/vpxis/{vpxi}/users", "post", status: "200"), added.sexp, "add-user answer")

            // The owner's delegation: the example's cert and signature are elided, so alice
            // signs the cert asked for, and the request and answer are compared.
            let delegateExample = example(document, "/v1/vpxis/{vpxi}/delegations", "post")
            _ = try arguments(delegateExample, op: "delegate")
            let request = try XCTUnwrap(added.sexp?.first("to-sign")?.tail.first)
            var warnings: [SPKIWarning] = []
            let cert = try Cert(parsing: try XCTUnwrap(request.first("cert")), warnings: &warnings)
            let delegateArguments: [SExpr] = [["vpxi", "seg"], ["delegation", try XCTUnwrap(request.first("machine")), ["sequence", cert.sexp, try cert.sign(with: alice).sexp]]]
            assertShape(delegateExample, try RequestSigner.sign(op: "delegate", arguments: delegateArguments, key: alice, time: now), "delegate request")
            let delegated = try await registrar.client.post("v1/vpxis/seg/delegations", op: "delegate", arguments: delegateArguments, key: alice, time: now)
            XCTAssertEqual(delegated.status, 200, delegated.text)
            XCTAssertTrue(statuses(document, "/v1/vpxis/{vpxi}/delegations", "post").isSuperset(of: [200, 401, 403, 404, 409]))
            assertShape(example(document, "/v1/vpxis/{vpxi}/delegations", "post", status: "200"), delegated.sexp, "delegate answer")
            // Remove the user again: the example as written.
            let removeArguments = try arguments(example(document, "/v1/vpxis/{vpxi}/users/remove", "post"), op: "remove-user")
            let removed = try await registrar.client.post("v1/vpxis/seg/users/remove", op: "remove-user", arguments: removeArguments, key: alice, time: now)
            XCTAssertEqual(removed.status, 200, removed.text)
            assertShape(example(document, "/v1/vpxis/{vpxi}/users/remove", "post", status: "200"), removed.sexp, "remove-user answer")
            XCTAssertEqual(removed.text, "(removed (vpxi seg) (user erin) (epoch \"0\"))\n")
            let releaseArguments = try arguments(example(document, "/v1/vpxis/{vpxi}/release", "post"), op: "release-vpxi")
            let released = try await registrar.client.post("v1/vpxis/seg/release", op: "release-vpxi", arguments: releaseArguments, key: alice, time: now)
            XCTAssertEqual(released.status, 200, released.text)
            assertShape(example(document, "/v1/vpxis/{vpxi}/release", "post", status: "200"), released.sexp, "release answer")
            XCTAssertEqual(released.text, "(released (vpxi seg) (slots \"3\"))\n")

            // Health.
            let health = try await registrar.client.get("healthz")
            XCTAssertEqual(health.text, example(document, "/healthz", "get", status: "200"))
        }
    }
}
