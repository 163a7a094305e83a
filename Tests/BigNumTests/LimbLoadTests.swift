import BigNum
import XCTest

/// `setUnsignedBytes` on contiguous bytes loads limbs eight bytes at a time; on other
/// collections it still goes through GMP's `mpz_import`. Both must give the same number.
final class LimbLoadTests: XCTestCase {
    private var generator = SystemRandomNumberGenerator()

    /// Random bytes with a random run of leading zeros (0 to 9) and lengths around limb
    /// boundaries, including empty and all-zero inputs.
    private func sample(_ length: Int) -> [UInt8] {
        let zeros = Int.random(in: 0...9, using: &generator)
        let rest = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return [UInt8](repeating: 0, count: min(zeros, length)) + rest.dropFirst(min(zeros, length))
    }

    func testContiguousLoadEqualsGMPImport() {
        var lengths = Array(0...72) + [127, 128, 129, 255, 256, 257, 384, 512, 513]
        lengths += (0..<200).map { _ in Int.random(in: 0...600, using: &generator) }
        for length in lengths {
            for _ in 0..<4 {
                let bytes = sample(length)
                let fast = BigNum(unsignedBytes: bytes)
                let imported = BigNum(unsignedBytes: bytes.lazy.map { $0 })  // no contiguous storage: mpz_import
                XCTAssertEqual(fast, imported, "bytes \(bytes)")
                XCTAssertEqual(fast.description, imported.description)
                let minimal = Array(bytes.drop { $0 == 0 })
                XCTAssertEqual(fast.unsignedBytes(), minimal)
                XCTAssertEqual(fast.bitWidth, imported.bitWidth)
                XCTAssertFalse(fast.isNegative)
            }
        }
    }

    func testLoadIntoAnExistingNumberAndASecretOne() {
        for _ in 0..<200 {
            let large = sample(Int.random(in: 1...300, using: &generator))
            let small = sample(Int.random(in: 0...40, using: &generator))
            // Over a larger value (limbs shrink), over a smaller one (limbs grow), secret.
            let shrinking = BigNum(unsignedBytes: large)
            shrinking.setUnsignedBytes(small)
            XCTAssertEqual(shrinking, BigNum(unsignedBytes: small.lazy.map { $0 }))
            let growing = BigNum(unsignedBytes: small)
            growing.setUnsignedBytes(large)
            XCTAssertEqual(growing, BigNum(unsignedBytes: large.lazy.map { $0 }))
            let secret = BigNum(unsignedBytes: large, secret: true)
            XCTAssertEqual(secret, BigNum(unsignedBytes: large.lazy.map { $0 }))
        }
    }

    func testKnownValues() {
        XCTAssertEqual(BigNum(unsignedBytes: [UInt8]()), BigNum(0))
        XCTAssertEqual(BigNum(unsignedBytes: [0, 0, 0]), BigNum(0))
        XCTAssertEqual(BigNum(unsignedBytes: [0x01, 0x00, 0x01]), BigNum(65537))
        XCTAssertEqual(BigNum(unsignedBytes: [0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), BigNum(UInt.max))
        let twoTo64 = BigNum(unsignedBytes: [1, 0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(twoTo64.bitWidth, 65)
        XCTAssertEqual(twoTo64.unsignedBytes(), [1, 0, 0, 0, 0, 0, 0, 0, 0])
    }
}
