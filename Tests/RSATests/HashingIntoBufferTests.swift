import Foundation
import Hashing
import XCTest

/// `HashAlgorithm.digest(_:into:)`: the same digest as the array form, written into the
/// caller's buffer and nothing beyond `digestLength`.
final class HashingIntoBufferTests: XCTestCase {
    func testMatchesArrayFormForEveryAlgorithmAndLength() {
        var generator = SystemRandomNumberGenerator()
        for algorithm in HashAlgorithm.allCases {
            for length in [0, 1, 55, 56, 63, 64, 65, 127, 128, 129, 1000] {
                let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                var output = [UInt8](repeating: 0xA5, count: 80)
                let written = message.withUnsafeBytes { input in
                    output.withUnsafeMutableBytes { algorithm.digest(input, into: $0) }
                }
                XCTAssertEqual(written, algorithm.digestLength)
                XCTAssertEqual(Array(output.prefix(written)), algorithm.digest(message), "\(algorithm) over \(length) bytes")
                XCTAssertTrue(output.dropFirst(written).allSatisfy { $0 == 0xA5 }, "\(algorithm) wrote past its digest")
            }
        }
    }

    func testKnownAnswerSHA256() {
        // FIPS 180-4 example: SHA-256("abc").
        var output = [UInt8](repeating: 0, count: 32)
        Array("abc".utf8).withUnsafeBytes { input in
            output.withUnsafeMutableBytes { _ = HashAlgorithm.sha256.digest(input, into: $0) }
        }
        XCTAssertEqual(output.map { String(format: "%02x", $0) }.joined(),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
