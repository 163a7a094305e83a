import SExpr
import XCTest

final class Base64Tests: XCTestCase {
    func testRFC4648Vectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base64.encode(Array(plain.utf8)), encoded)
            XCTAssertEqual(Base64.decode(encoded), Array(plain.utf8))
        }
    }

    func testRejectsMalformedInput() {
        XCTAssertNil(Base64.decode("Zg=a"))
        XCTAssertNil(Base64.decode("Z"))
        XCTAssertNil(Base64.decode("Zh=="))
        XCTAssertNil(Base64.decode("Zm9v!"))
        XCTAssertEqual(Base64.decode(" Zm 9v\n"), Array("foo".utf8))
    }

    func testHex() {
        XCTAssertEqual(Hex.encode([0, 0xAB, 0xFF]), "00abff")
        XCTAssertEqual(Hex.decode("00ABff"), [0, 0xAB, 0xFF])
        XCTAssertNil(Hex.decode("abc"))
        XCTAssertNil(Hex.decode("zz"))
    }
}
