import XCTest
@testable import Lint

final class PathPatternTests: XCTestCase {
    func testGlobs() {
        let cases: [(String, String, Bool)] = [
            ("*.vp", "a.vp", true), ("*.vp", "dir/a.vp", false), ("**/*.vp", "dir/sub/a.vp", true),
            ("**/*.vp", "a.vp", true), ("generated/**", "generated/x/y.vp", true), ("generated/", "generated/y.vp", true),
            ("generated", "generated/y.vp", true), ("generated", "generated-old/y.vp", false), ("a?.vp", "ab.vp", true),
            ("a?.vp", "a/.vp", false), ("policies/*/lab.vp", "policies/x/lab.vp", true), ("./x.vp", "x.vp", true),
        ]
        for (pattern, path, expected) in cases {
            XCTAssertEqual(PathPattern.matches(pattern, path), expected, "\(pattern) ~ \(path)")
        }
    }

    /// A pattern without wildcards matches itself, and `**` matches every path.
    func testProperties() {
        var generator = SystemRandomNumberGenerator()
        let letters = Array("ab/.-x")
        for _ in 0..<500 {
            let path = String((0..<Int.random(in: 1...12, using: &generator)).map { _ in letters.randomElement(using: &generator)! })
            XCTAssertTrue(PathPattern.matches("**", path), path)
            if !path.contains("*"), !path.hasPrefix("./"), !path.hasSuffix("/") { XCTAssertTrue(PathPattern.matches(path, path), path) }
        }
    }

    func testDurations() {
        XCTAssertEqual(DurationParser.seconds("72h"), 72 * 3600)
        XCTAssertEqual(DurationParser.seconds("30d"), 30 * 86_400)
        XCTAssertEqual(DurationParser.seconds("90 min"), 5400)
        XCTAssertEqual(DurationParser.seconds("1w"), 604_800)
        XCTAssertNil(DurationParser.seconds("h"))
        XCTAssertNil(DurationParser.seconds("3y"))
        XCTAssertNil(DurationParser.seconds("99999999999999999d"))
    }
}
