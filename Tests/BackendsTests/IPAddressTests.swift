import Backends
import XCTest

final class IPAddressTests: XCTestCase {
    func testRFC5952Formatting() {
        let cases: [(String, String)] = [
            ("2001:0db8:0000:0000:0000:0000:0002:0001", "2001:db8::2:1"),
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),      // one zero group is not shortened
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),         // the first of two equal runs
            ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),               // the longest run
            ("::", "::"),
            ("::1", "::1"),
            ("1::", "1::"),
            ("2001:DB8::A", "2001:db8::a"),
            ("::ffff:192.0.2.1", "::ffff:c000:201"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(IPAddress(input)?.description, expected, input)
        }
    }

    func testIPv4() {
        XCTAssertEqual(IPAddress("192.0.2.10")?.description, "192.0.2.10")
        XCTAssertEqual(IPAddress("192.0.2.10")?.isV6, false)
    }

    func testRejects() {
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.a", "1:2:3:4:5:6:7", "1::2::3", "12345::",
                    "1:2:3:4:5:6:7:8:9", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8::", "fe80::1%eth0", "2001:db8::/32", " 1.2.3.4"] {
            XCTAssertNil(IPAddress(bad), bad)
        }
    }
}
