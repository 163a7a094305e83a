import XCTest
@testable import PolicyLanguage

final class LocatorSyntaxTests: XCTestCase {
    private func check(_ text: String) -> (Locator.Family, Int?)? {
        if case .success(let value) = LocatorSyntax.check(Array(text.utf8)) { return value }
        return nil
    }

    func testAddresses() {
        XCTAssertEqual(check("192.0.2.10")?.0, .ipv4)
        XCTAssertEqual(check("2001:db8::11")?.0, .ipv6)
        XCTAssertEqual(check("::1")?.0, .ipv6)
        XCTAssertEqual(check("2001:db8:0:0:0:0:0:1")?.0, .ipv6)
    }

    func testTemplates() {
        XCTAssertEqual(check("192.0.2.{10+index}")?.1, 10)
        XCTAssertEqual(check("192.0.2.{index+3}")?.1, 3)
        XCTAssertEqual(check("192.0.2.{index}")?.1, 0)
        XCTAssertEqual(check("2001:db8::{index}")?.1, 0)
        XCTAssertEqual(check("2001:db8:1:2:3:4:5:{index}")?.1, 0)
        let locator = Locator(text: "2001:db8::{16+index}", family: .ipv6, templateOffset: 16,
                              range: .init(file: .init(rawValue: 0), at: 0))
        XCTAssertEqual(locator.address(forIndex: 1), "2001:db8::11")
    }

    func testRejections() {
        for bad in ["192.0.2.300", "192.0.2", "1.2.3.4.5", "192.0.2.x", "2001:db8::1::2", "2001:db8:zz::1",
                    "1:2:3:4:5:6:7", "192.0.{index}.1", "192.0.2.{10*index}", "192.0.2.{index"] {
            XCTAssertNil(check(bad), bad)
        }
    }
}
