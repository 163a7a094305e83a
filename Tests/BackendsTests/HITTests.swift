import Backends
import Foundation
import RSA
import TestSupport
import XCTest

/// HITs and LSIs against vectors computed outside spkic (`corpus/backends/hit_vectors.py`:
/// hashlib with integer arithmetic, cross-checked with `openssl dgst` and bit strings, from
/// the key numbers as OpenSSL reads them).
final class HITTests: XCTestCase {
    func testCheckedInVectors() throws {
        let vectors = try Fixtures.checkedInVectors()
        XCTAssertEqual(vectors.count, try Fixtures.allKeyFiles().count, "every fixture key has a vector")
        for vector in vectors {
            let key = try Fixtures.key(vector.name).publicKey
            XCTAssertEqual(HIT(rsa: key).description, vector.v2, vector.name)
            XCTAssertEqual(HIT(rsa: key, version: .v1).description, vector.v1, vector.name)
            XCTAssertEqual(HIT(rsa: key).defaultLSI.description, vector.lsi, vector.name)
        }
    }

    /// Runs the Python helper now, so that the checked-in vectors cannot drift from it.
    func testVectorsFromPythonHelper() throws {
        let python = try ExternalTool.require("python3", package: "python3")
        _ = try ExternalTool.require("openssl", package: "openssl")
        let script = Fixtures.directory.appendingPathComponent("hit_vectors.py").path
        let keys = try Fixtures.allKeyFiles().map(\.path)
        let result = try ExternalTool.run(python, [script] + keys)
        XCTAssertEqual(result.status, 0, result.stderrText)
        let live = Fixtures.parseVectors(result.stdoutText)
        XCTAssertEqual(live, try Fixtures.checkedInVectors())
    }

    func testRSAHITsStartWithTheORCHIDv2PrefixAndOGAID() throws {
        for url in try Fixtures.allKeyFiles() {
            let hit = HIT(rsa: try Fixtures.key(url.lastPathComponent).publicKey)
            XCTAssertEqual(Array(hit.bytes.prefix(4)), [0x20, 0x01, 0x00, 0x21])
            XCTAssertTrue(hit.description.hasPrefix("2001:21:"), hit.description)
            XCTAssertEqual(hit.version, .v2)
            let v1 = HIT(rsa: try Fixtures.key(url.lastPathComponent).publicKey, version: .v1)
            XCTAssertEqual(v1.bytes[3] & 0xF0, 0x10)
            XCTAssertEqual(v1.version, .v1)
        }
    }

    func testHostIdentityEncoding() throws {
        let key = try Fixtures.key("vm-1").publicKey
        let hi = HostIdentity(rsa: key)
        XCTAssertEqual(Array(hi.bytes.prefix(4)), [3, 0x01, 0x00, 0x01], "e_len 3, e = 65537")
        XCTAssertEqual(Array(hi.bytes.dropFirst(4)), key.modulusBytes)

        let e3 = try Fixtures.key("e3-1024").publicKey
        XCTAssertEqual(Array(HostIdentity(rsa: e3).bytes.prefix(2)), [1, 3])

        let big = try Fixtures.key("big-exponent.pub.pem").publicKey
        let bigHI = HostIdentity(rsa: big).bytes
        let eLength = big.exponentBytes.count
        XCTAssertGreaterThan(eLength, 255)
        XCTAssertEqual(Array(bigHI.prefix(3)), [0, UInt8(eLength >> 8), UInt8(eLength & 0xFF)])
        XCTAssertEqual(Array(bigHI[3..<(3 + eLength)]), big.exponentBytes)
        XCTAssertEqual(bigHI.count, 3 + eLength + big.modulusBytes.count)
    }

    func testHexForm() throws {
        let hit = HIT(bytes: [0x20, 0x01, 0x00, 0x21] + Array(repeating: 0xAB, count: 12))
        XCTAssertEqual(hit.hex, "20010021" + String(repeating: "AB", count: 12))
    }

    func testLSIAllocationIsUniqueAndOrderIndependent() throws {
        // Three HITs whose last 24 bits collide, one of them on the unusable 1.255.255.255.
        func hit(_ first: UInt8, low: [UInt8]) -> HIT {
            HIT(bytes: [0x20, 0x01, 0x00, 0x21, first] + Array(repeating: 0, count: 8) + low)
        }
        let a = hit(1, low: [0, 0, 7]), b = hit(2, low: [0, 0, 7]), c = hit(3, low: [0xFF, 0xFF, 0xFF]), d = hit(4, low: [0, 0, 0])
        let first = try LSI.allocate([a, b, c, d])
        let second = try LSI.allocate([d, c, b, a])
        XCTAssertEqual(first, second)
        XCTAssertEqual(first[a]?.description, "1.0.0.7")
        XCTAssertEqual(first[b]?.description, "1.0.0.8")
        // c comes before d in HIT order: 1.255.255.255 is unusable and wraps past 1.0.0.0 to
        // 1.0.0.1; d's own 1.0.0.0 is unusable and 1.0.0.1 is taken, so it gets 1.0.0.2.
        XCTAssertEqual(first[c]?.description, "1.0.0.1")
        XCTAssertEqual(first[d]?.description, "1.0.0.2")
        XCTAssertEqual(Set(first.values).count, 4)
        XCTAssertTrue(first.values.allSatisfy(\.isUsable))
    }
}
