import Backends
import SExpr
import XCTest

/// `BundleArchive`: a host bundle as one canonical S-expression, and back; anything but
/// that form is refused.
final class BundleArchiveTests: XCTestCase {
    let bundle = HostBundle(host: "cap-01", files: [
        BundleFile(path: "esp/xfrm.sh", text: "#!/bin/sh\n", mode: 0o755),
        BundleFile(path: "manifest.sexp", bytes: [0, 1, 2, 255]),
        BundleFile(path: "peers.sexp", text: "(peers)\n"),
    ])

    func testRoundTrip() throws {
        let bytes = BundleArchive.encode(bundle)
        XCTAssertEqual(try SExpr.parse(bytes).canonical, bytes, "the archive is canonical")
        let back = try BundleArchive.decode(bytes)
        XCTAssertEqual(back.host, "cap-01")
        XCTAssertEqual(back.files, bundle.files)
        XCTAssertEqual(back.file("esp/xfrm.sh")?.mode, 0o755)
        XCTAssertEqual(BundleArchive.encode(back), bytes, "the same bundle gives the same bytes")
    }

    func testRefusals() {
        func refused(_ text: String, _ code: BackendsError.Code, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try BundleArchive.decode(Array(text.utf8)), file: file, line: line) { error in
                XCTAssertEqual((error as? BackendsError)?.code, code, "\(error)", file: file, line: line)
            }
        }
        refused("(bundle (host cap-01) (file (path \"../etc/passwd\") (mode \"644\") x))", .unsafePath)
        refused("(bundle (host cap-01) (file (path \"/etc/passwd\") (mode \"644\") x))", .unsafePath)
        refused("(bundle (host \"../x\"))", .unsafePath)
        refused("(bundle (host cap-01) (file (path a) (mode \"644\") x) (file (path a) (mode \"644\") y))", .manifestMalformed)
        refused("(bundle (host cap-01) (file (path a) (mode \"4755\") x))", .manifestMalformed)
        refused("(bundle (host cap-01) (file (path a) (mode \"9\") x))", .manifestMalformed)
        refused("(bundle (host cap-01) (file (path a) x))", .manifestMalformed)
        refused("(bundle (host cap-01) (file (path a) (mode \"644\") (x)))", .manifestMalformed)
        refused("(other (host cap-01))", .manifestMalformed)
        refused("(bundle", .manifestMalformed)
        let written = try? BundleArchive.decode(Array("(bundle (host cap-01) (file (path \"a/b\") (mode \"600\") \"x\"))".utf8))
        XCTAssertEqual(written?.files, [BundleFile(path: "a/b", bytes: [0x78], mode: 0o600)])
        XCTAssertThrowsError(try BundleArchive.decode([UInt8](repeating: 0x20, count: BundleArchive.sizeLimit + 1)))
    }
}
