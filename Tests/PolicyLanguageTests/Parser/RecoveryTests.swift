import Diagnostics
import XCTest
@testable import PolicyLanguage

/// Error recovery: one error per construct, synchronisation on `}` and on
/// declaration keywords, the error cap.
final class RecoveryTests: XCTestCase {
    func testOneErrorPerConstructThenTheNextConstructIsChecked() {
        let codes = Corpus.codes("""
            host a { cpu 8 memory 32 GB hypervisor kvn }
            host b {
              memory 8 GB
              hypervisor kvn
            }
            """)
        // Host a: one error for the whole line. Host b: one per property line.
        XCTAssertEqual(codes, ["E0014", "E0028", "E0037"])
    }

    func testSynchronisesOnDeclarationKeywords() {
        let codes = Corpus.codes("""
            hots a {
              cpus 4
            }
            community inria
            user alice member-of inria
            """)
        XCTAssertEqual(codes, ["E0010", "E0045"])
    }

    func testUnclosedBlockIsReportedOnceAtItsBrace() {
        let (result, sources) = Corpus.parse("""
            user alice key "a.pub"
            vpxi v {
              owner alice
              node a {
                cpus 1
            """)
        XCTAssertEqual(result.diagnostics.map(\.code.rawValue), ["E0013"])
        let diagnostic = result.diagnostics[0]
        XCTAssertEqual(sources[diagnostic.range.file].location(of: diagnostic.range.start).line, 4)
    }

    func testUnclosedBlockBeforeADeclarationKeepsTheDeclaration() {
        let (result, _) = Corpus.parse("""
            host a {
              cpus 4
            community inria
            """)
        XCTAssertEqual(result.diagnostics.map(\.code.rawValue), ["E0013"])
        XCTAssertEqual(result.policy.declarations.count, 1)
        guard case .community(let community) = result.policy.declarations[0] else { return XCTFail("lost") }
        XCTAssertEqual(community.name.text, "inria")
    }

    func testLexicalErrorsInABrokenConstructAreNotACascade() {
        XCTAssertEqual(Corpus.codes("host a { cpus x ; ; }\ncommunity ok"), ["E0025"])
    }

    func testAnUnclosedTestBlockDoesNotSwallowTheVPXI() {
        let codes = Corpus.codes("""
            user alice key "a.pub"
            vpxi v {
              owner alice
              node a
              test {
                expect alice cna ssh on a
              grant alice ssh on a
            }
            community c
            """)
        XCTAssertEqual(codes, ["E0013", "E0021"])  // sorted by position: the test block's `{` first
    }

    func testErrorLimitStopsParsing() {
        let text = String(repeating: "community\n", count: 50)
        let (result, _) = Corpus.parse(text, errorLimit: 5)
        XCTAssertEqual(result.diagnostics.count, 5)
        XCTAssertEqual(Corpus.parse(text, errorLimit: 100).0.diagnostics.count, 50)
    }

    func testStrayClosingBraceAtTopLevel() {
        XCTAssertEqual(Corpus.codes("}\ncommunity a\n}"), ["E0017", "E0017"])
    }

    func testDidYouMeanComesWithAFixIt() {
        let (result, _) = Corpus.parse("host a { cpu 4 }")
        let fixIt = result.diagnostics.first?.fixIts.first
        XCTAssertEqual(fixIt?.edits.first?.replacement, "cpus")
        XCTAssertEqual(result.diagnostics.first?.help, "did you mean `cpus`?")
    }

    /// A unit written another common way gets the unit of the property's dimension (`Gbit`
    /// and `Mb` are rates, `MB` a size), never one of another dimension.
    func testUnitSuggestionsStayInTheDimension() {
        func help(_ property: String) -> String? {
            let (result, _) = Corpus.parse("vpxi v { cluster n[2] { cpus 1 memory 1 GiB }\n link n[1] <-> n[2] { \(property) } }")
            return result.diagnostics.first { $0.code.rawValue == "E0028" }?.help
        }
        XCTAssertEqual(help("bandwidth 10 Gbit/s"), "did you mean `Gbps`?")
        XCTAssertEqual(help("bandwidth 10 Mb/s"), "did you mean `Mbps`?")
        XCTAssertEqual(help("bandwidth 10 kbit"), "did you mean `Kbps`?")
        XCTAssertEqual(help("bandwidth 10 gbps"), "did you mean `Gbps`?")
        XCTAssertEqual(help("bandwidth 10 MB"), "the rate units are bps, Kbps, Mbps, Gbps, Tbps")
        XCTAssertEqual(help("latency 10 msec"), "did you mean `ms`?")
        XCTAssertEqual(Corpus.parse("host a { memory 8 GB }").0.diagnostics.first?.help, "did you mean `GiB`?")
        XCTAssertEqual(Corpus.parse("host a { memory 8 zz }").0.diagnostics.first?.help, "the size units are B, KiB, MiB, GiB, TiB")
    }

    func testMissingThingsPointAfterThePreviousToken() {
        let (result, sources) = Corpus.parse("community\ncommunity b")
        let diagnostic = result.diagnostics[0]
        XCTAssertEqual(sources[diagnostic.range.file].location(of: diagnostic.range.start), SourceLocation(line: 1, column: 10))
        XCTAssertEqual(diagnostic.message, "expected a name after `community`, found end of line")
    }
}
