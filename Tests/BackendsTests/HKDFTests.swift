@testable import Backends
import SExpr
import XCTest

/// HKDF-SHA-256 against RFC 5869's test vectors (appendix A, cases 1 and 3).
final class HKDFTests: XCTestCase {
    func testRFC5869Case1() {
        let hkdf = HKDFSHA256(salt: Hex.decode("000102030405060708090a0b0c")!, inputKeyMaterial: Array(repeating: 0x0b, count: 22))
        XCTAssertEqual(Hex.encode(hkdf.expand(info: Hex.decode("f0f1f2f3f4f5f6f7f8f9")!, length: 42)),
                       "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    func testRFC5869Case3EmptySaltAndInfo() {
        let hkdf = HKDFSHA256(salt: [], inputKeyMaterial: Array(repeating: 0x0b, count: 22))
        XCTAssertEqual(Hex.encode(hkdf.expand(info: [], length: 42)),
                       "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
    }

    func testHMACWithALongKey() {
        // RFC 4231 test case 6: a 131-byte key is hashed first.
        let mac = HKDFSHA256.hmac(key: Array(repeating: 0xaa, count: 131), message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
        XCTAssertEqual(Hex.encode(mac), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }
}
