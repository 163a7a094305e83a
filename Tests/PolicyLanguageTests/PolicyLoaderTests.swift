import Diagnostics
import XCTest
@testable import PolicyLanguage

final class PolicyLoaderTests: XCTestCase {
    private func loader(_ files: [String: String]) -> PolicyLoader {
        PolicyLoader { path in
            guard let text = files[PolicyLoader.normalize(path)] else {
                return .failure(PolicyLoader.ReadFailure(reason: "not found"))
            }
            return .success(Array(text.utf8))
        }
    }

    func testFollowsIncludesRelativeToTheIncluder() {
        let loaded = loader([
            "p/main.vp": "include \"lib/common.vp\"\ncommunity a",
            "p/lib/common.vp": "include \"../shared.vp\"\ncommunity b",
            "p/shared.vp": "community c",
        ]).load(["p/main.vp"])
        XCTAssertEqual(loaded.diagnostics, [])
        XCTAssertEqual(loaded.files.map(\.path), ["p/main.vp", "p/lib/common.vp", "p/lib/../shared.vp"])
    }

    func testDiamondsAreReadOnce() {
        let loaded = loader([
            "a.vp": "include \"b.vp\"\ninclude \"c.vp\"",
            "b.vp": "include \"d.vp\"",
            "c.vp": "include \"d.vp\"",
            "d.vp": "community d",
        ]).load(["a.vp"])
        XCTAssertEqual(loaded.diagnostics, [])
        XCTAssertEqual(loaded.files.count, 4)
    }

    func testCyclesAreReportedAtTheInclude() {
        let loaded = loader(["a.vp": "include \"b.vp\"", "b.vp": "community x\ninclude \"a.vp\""]).load(["a.vp"])
        XCTAssertEqual(loaded.diagnostics.map(\.code.rawValue), ["E0046"])
        XCTAssertEqual(loaded.diagnostics[0].message, "include cycle: `a.vp` includes `b.vp` includes `a.vp`")
        XCTAssertEqual(loaded.sources.describe(loaded.diagnostics[0].range), "b.vp:2:9")
    }

    func testMissingIncludesAndUnreadableRoots() {
        let loaded = loader(["a.vp": "include \"gone.vp\""]).load(["a.vp", "nope.vp"])
        XCTAssertEqual(loaded.diagnostics.map(\.code.rawValue), ["E0047"])
        XCTAssertEqual(loaded.unreadable.map(\.path), ["nope.vp"])
    }

    func testPathNormalisation() {
        XCTAssertEqual(PolicyLoader.normalize("./a//b/../c.vp"), "a/c.vp")
        XCTAssertEqual(PolicyLoader.normalize("/x/./y.vp"), "/x/y.vp")
        XCTAssertEqual(PolicyLoader.normalize("../a.vp"), "../a.vp")
        XCTAssertEqual(PolicyLoader.resolve("b.vp", relativeTo: "dir/a.vp"), "dir/b.vp")
        XCTAssertEqual(PolicyLoader.resolve("/abs.vp", relativeTo: "dir/a.vp"), "/abs.vp")
    }
}
