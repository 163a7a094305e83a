import XCTest
@testable import Diagnostics

final class SpellingSuggestionTests: XCTestCase {
    func testFindsCloseNames() {
        XCTAssertEqual(SpellingSuggestion.closest(to: "alcie", in: ["alice", "bob"]), "alice")
        XCTAssertEqual(SpellingSuggestion.closest(to: "hots", in: ["host", "user", "vpxi"]), "host")
        XCTAssertEqual(SpellingSuggestion.closest(to: "GB", in: ["B", "GiB", "Gbps"]), "GiB")
    }

    func testRefusesFarNames() {
        XCTAssertNil(SpellingSuggestion.closest(to: "zzzzzz", in: ["alice", "bob"]))
        XCTAssertNil(SpellingSuggestion.closest(to: "", in: ["a"]))
        XCTAssertNil(SpellingSuggestion.closest(to: "alice", in: ["alice"]))
    }

    func testTranspositionCountsOnce() {
        XCTAssertEqual(SpellingSuggestion.editDistance(Array("cna".utf8), Array("can".utf8)), 1)
        XCTAssertEqual(SpellingSuggestion.editDistance(Array("kitten".utf8), Array("sitting".utf8)), 3)
    }
}
