import Foundation
import SExpr
import TestSupport
import XCTest

/// Our printers against nettle's sexp-conv on `corpus/sexp/`. sexp-conv 3.8.1 aborts on
/// `\x` escapes, misreads octal escapes and reads `\v` as `v`, so the corpus avoids them
/// (the parser tests cover them); its advanced style is its own, so only canonical bytes
/// are compared.
final class NettleInteropTests: XCTestCase {
    func corpus() throws -> [URL] {
        let files = try FileManager.default.contentsOfDirectory(at: PackagePaths.corpus("sexp"), includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        XCTAssertGreaterThanOrEqual(files.count, 8, "the sexp corpus is missing")
        return files
    }

    func sexpConv(_ tool: String, _ arguments: [String], _ input: [UInt8], file: String) throws -> [UInt8] {
        let result = try ExternalTool.run(tool, arguments, input: input)
        XCTAssertEqual(result.status, 0, "sexp-conv \(arguments) failed on \(file): \(result.stderrText)")
        return result.stdout
    }

    func testCanonicalOutputEqualsSexpConv() throws {
        let tool = try ExternalTool.require("sexp-conv", package: "nettle-bin")
        for url in try corpus() {
            let input = try Array(Data(contentsOf: url))
            let ours = CanonicalPrinter.print(try SExprParser().parse(input))
            let theirs = try sexpConv(tool, ["-s", "canonical"], input, file: url.lastPathComponent)
            XCTAssertEqual(ours, theirs, url.lastPathComponent)
        }
    }

    func testSexpConvReadsOurAdvancedAndTransportOutput() throws {
        let tool = try ExternalTool.require("sexp-conv", package: "nettle-bin")
        for url in try corpus() {
            let document = try SExprParser().parse(try Array(Data(contentsOf: url)))
            let canonical = CanonicalPrinter.print(document)
            for width in [0, 40, 72] {
                let advanced = AdvancedPrinter(width: width).print(document)
                XCTAssertEqual(try sexpConv(tool, ["-s", "canonical"], advanced, file: url.lastPathComponent), canonical,
                               "advanced (width \(width)) of \(url.lastPathComponent)")
                let transport = TransportPrinter(width: width).print(document)
                XCTAssertEqual(try sexpConv(tool, ["-s", "canonical"], transport, file: url.lastPathComponent), canonical,
                               "transport (width \(width)) of \(url.lastPathComponent)")
            }
        }
    }

    /// sexp-conv writes a comment as an empty `{}` in transport style, which neither it nor
    /// we read back, so it is given canonical input here.
    func testWeReadSexpConvAdvancedAndTransportOutput() throws {
        let tool = try ExternalTool.require("sexp-conv", package: "nettle-bin")
        for url in try corpus() {
            let input = try Array(Data(contentsOf: url))
            let canonical = CanonicalPrinter.print(try SExprParser().parse(input))
            for style in ["advanced", "transport"] {
                let theirs = try sexpConv(tool, ["-s", style], canonical, file: url.lastPathComponent)
                XCTAssertEqual(CanonicalPrinter.print(try SExprParser().parse(theirs)), canonical,
                               "sexp-conv -s \(style) of \(url.lastPathComponent)")
            }
        }
    }
}
