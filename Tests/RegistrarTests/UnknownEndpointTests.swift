import Foundation
@testable import Registrar
import SExpr
import TestSupport
import XCTest

/// A request no endpoint serves (an unknown path, or a known path with another method)
/// is answered with the API's error document, R013 and 404, whose help names every
/// endpoint, rather than an empty 404.
final class UnknownEndpointTests: RegistrarScratchTestCase {
    func testUnknownEndpointsAnswerAnErrorDocument() async throws {
        let database = try await SQLiteStore.open(path: directory.appendingPathComponent("r.sqlite").path)
        let lyon = try await RunningRegistrar.start(database: database, name: "lyon", key: try RegistrarFixture.corpusKey("lyon"))
        try await withCleanup([lyon]) {
            // The help's list is the router's.
            XCTAssertEqual(RegistrarServer.endpoints.sorted(), RegistrarServer(service: lyon.service).routes)
            for path in ["v1/nonexistent", "v1", "v1/hosts/h1", "v1/vpxis/v/chains"] {
                let answer = try await lyon.client.get(path)
                XCTAssertEqual(answer.status, 404, path)
                let document = try SExpr.parse(answer.body)
                XCTAssertEqual(document.head, "error", answer.text)
                XCTAssertTrue(answer.text.contains("(code R013)"), answer.text)
                XCTAssertTrue(answer.text.contains("no endpoint `GET /\(path)`"), answer.text)
                XCTAssertTrue(answer.text.contains("GET /v1/hosts/{host}/bundles/{vpxi}"), answer.text)
            }
            // A known path with another method.
            let posted = try await lyon.client.post("v1/hosts/h1/bundles", body: Array("(x)".utf8))
            XCTAssertEqual(posted.status, 404)
            XCTAssertTrue(posted.text.contains("no endpoint `POST /v1/hosts/h1/bundles`"), posted.text)
            // The routes still answer as before.
            let health = try await lyon.client.get("healthz")
            XCTAssertEqual(health.status, 200)
            XCTAssertEqual(health.text, "ok\n")
            let missing = try await lyon.client.get("v1/vpxis/nosuch")
            XCTAssertEqual(missing.status, 404)
            XCTAssertTrue(missing.text.contains("(code R013)") && !missing.text.contains("no endpoint"), missing.text)
        }
    }
}
