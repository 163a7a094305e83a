import XCTest
@testable import PolicyCompiler

/// The VMs' names: DNS labels, unique in the plan, stable when other vpxis come and go.
final class VMNamingTests: XCTestCase {
    func testLabels() {
        XCTAssertEqual(VMNaming.label(vpxi: "bronze-standard", machine: "worker[3]"), "bronze-standard-worker-3")
        XCTAssertEqual(VMNaming.label(vpxi: "study", machine: "files"), "study-files")
        XCTAssertEqual(VMNaming.label(vpxi: "a_b", machine: "--x..y__"), "a-b-x-y")
        XCTAssertEqual(VMNaming.label(vpxi: "é", machine: "[]"), "vm")
    }

    func testNamesAreUniqueDNSLabels() {
        let long = String(repeating: "v", count: 60)
        let names = VMNaming.names(vpxis: ["a", "a-b", long], machines: [["b-c", "x"], ["c", "X"], ["worker[1]", "worker[2]"]])
        // `a` + `b-c` and `a-b` + `c` collide: both are qualified with a hash.
        XCTAssertTrue(names[0][0].hasPrefix("a-b-c-"), names[0][0])
        XCTAssertTrue(names[1][0].hasPrefix("a-b-c-"), names[1][0])
        XCTAssertNotEqual(names[0][0], names[1][0])
        XCTAssertEqual(names[0][1], "a-x")
        XCTAssertEqual(names[1][1], "a-b-X")
        let all = names.flatMap { $0 }
        XCTAssertEqual(Set(all.map { $0.lowercased() }).count, all.count)
        for name in all {
            XCTAssertLessThanOrEqual(name.count, 63, name)
            XCTAssertTrue(name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }, name)
            XCTAssertFalse(name.hasPrefix("-") || name.hasSuffix("-"), name)
        }
        // Over 63 characters: cut, with a hash that keeps the two apart.
        XCTAssertEqual(names[2][0].count, 63)
        XCTAssertNotEqual(names[2][0], names[2][1])
    }

    /// Adding a vpxi does not rename the machines of another (unless they would collide).
    func testStable() {
        let before = VMNaming.names(vpxis: ["one"], machines: [["files", "worker[1]"]])
        let after = VMNaming.names(vpxis: ["one", "two"], machines: [["files", "worker[1]"], ["files"]])
        XCTAssertEqual(before[0], after[0])
        XCTAssertEqual(after[1], ["two-files"])
    }
}
