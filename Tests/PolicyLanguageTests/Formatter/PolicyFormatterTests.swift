import Diagnostics
import Foundation
import XCTest
@testable import PolicyLanguage

final class PolicyFormatterTests: XCTestCase {
    private func format(_ text: String) -> String {
        let (result, sources) = Corpus.parse(text)
        XCTAssertEqual(result.diagnostics, [], "input has errors")
        return PolicyFormatter.format(result.policy, source: sources.files[0])
    }

    private func comments(_ text: String) -> [String] {
        let (result, sources) = Corpus.parse(text)
        return result.policy.comments.map { sources.files[0].text($0).trimmingCharacters(in: .whitespaces) }
    }

    /// The property: fmt(fmt(x)) == fmt(x) for every policy of the corpus, the
    /// formatted text parses to the same declarations, and keeps every comment.
    func testIdempotentAndFaithfulOnTheWholeCorpus() throws {
        var checked = 0
        for url in Corpus.files("ok") {
            let text = try String(contentsOf: url, encoding: .utf8)
            let once = format(text)
            let twice = format(once)
            XCTAssertEqual(once, twice, "\(url.lastPathComponent) is not idempotent")
            XCTAssertEqual(comments(once), comments(text), "\(url.lastPathComponent) lost comments")
            XCTAssertEqual(Corpus.parse(once).0.policy.declarations.count, Corpus.parse(text).0.policy.declarations.count)
            checked += 1
        }
        for url in Corpus.files("err") {
            let bytes = try XCTUnwrap(FileManager.default.contents(atPath: url.path))
            let (result, sources) = Corpus.parse(String(decoding: bytes, as: UTF8.self))
            guard !result.hasErrors else { continue }
            let once = PolicyFormatter.format(result.policy, source: sources.files[0])
            XCTAssertEqual(format(once), once, url.lastPathComponent)
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 4)
    }

    func testCanonicalLayout() {
        let input = """
            # header


            registrar   lyon key "keys/lyon.pub"   # trailing
            host capricorne-[01..35] {  # pool
              locator 192.0.2.{10+index}
              cpus 4  memory 8 GiB disk 500GiB
              # inside
              trusted-by inria,
                 # between
                 lyon
              hypervisor xen }
            user alice
              key "a.pub" member-of inria
            vpxi v { owner alice
              window 2026-12-01T08:00Z..2026-12-21T20:00Z
              node a { cpus 1 } node b
              cluster w[4]{cpus 2}
              link a->b{bandwidth 1 Gbps}
              certificates valid 36 h renew every 12h
              grant alice ssh,file(read,"/x") on all
              test { expect alice can ssh a }

              # end of vpxi
            }
            # tail
            """
        let expected = """
            # header

            registrar lyon key "keys/lyon.pub"  # trailing
            host capricorne-[01..35] {  # pool
              locator 192.0.2.{10+index}
              cpus 4 memory 8 GiB disk 500 GiB
              # inside
              # between
              trusted-by inria, lyon
              hypervisor xen
            }
            user alice key "a.pub" member-of inria
            vpxi v {
              owner alice
              window 2026-12-01T08:00Z .. 2026-12-21T20:00Z
              node a { cpus 1 } node b
              cluster w[4] { cpus 2 }
              link a -> b { bandwidth >= 1 Gbps }
              certificates valid 36h renew every 12h
              grant alice ssh, file(read, "/x") on all
              test { expect alice can ssh on a }

              # end of vpxi
            }
            # tail

            """
        XCTAssertEqual(format(input), expected)
        XCTAssertEqual(format(expected), expected)
    }

    func testSingleLineBlocksStayOnOneLine() {
        XCTAssertEqual(format("host a {cpus 1   memory 1 GiB}\n"), "host a { cpus 1 memory 1 GiB }\n")
        XCTAssertEqual(format("host a {}"), "host a {}\n")
    }

    func testEmptyPolicy() {
        XCTAssertEqual(format(""), "")
        XCTAssertEqual(format("\n\n# c\n\n"), "# c\n")
    }

    /// Found by the fuzzer (Fuzz/artifacts crash-ac72f6e6): a comment ending in
    /// carriage returns lost one of them at each formatting.
    func testRegressionCommentEndingInCarriageReturns() {
        let input = "# A n A numebSeat   " + String(repeating: "\r", count: 117)
        XCTAssertEqual(format(input), "# A n A numebSeat\n")
        XCTAssertEqual(format("community a  # x \r\r\ncommunity b\r\n"), "community a  # x\ncommunity b\n")
        XCTAssertEqual(format("# a\rb\n"), "# a\rb\n")
        XCTAssertEqual(format(format("# a\rb\r\r")), "# a\rb\n")
    }

    func testBlankLinesAreKeptButNotDoubled() {
        XCTAssertEqual(format("community a\n\n\n\ncommunity b\ncommunity c\n"), "community a\n\ncommunity b\ncommunity c\n")
    }
}
