import BigNum
import XCTest

final class BigNumTests: XCTestCase {
    func testUnsignedBytesRoundTrip() {
        let bytes: [UInt8] = [0x01, 0x00, 0xff, 0x80, 0x7f]
        let value = BigNum(unsignedBytes: bytes)
        XCTAssertEqual(value.unsignedBytes(), bytes)
        XCTAssertEqual(value.unsignedBytes(length: 8), [0, 0, 0] + bytes)
        XCTAssertNil(value.unsignedBytes(length: 4), "a value that does not fit gives nil")
        XCTAssertEqual(value.bitWidth, 33)
        XCTAssertEqual(BigNum(unsignedBytes: [0, 0, 5]).unsignedBytes(), [5], "leading zeros are dropped")
        XCTAssertEqual(BigNum().unsignedBytes(), [])
        XCTAssertEqual(BigNum().unsignedBytes(length: 2), [0, 0])
    }

    func testTwosComplement() {
        XCTAssertEqual(BigNum(0x80).twosComplementBytes, [0x00, 0x80], "a set top bit gets a sign byte")
        XCTAssertEqual(BigNum(0x7f).twosComplementBytes, [0x7f])
        XCTAssertEqual(BigNum(0).twosComplementBytes, [0x00])
        XCTAssertEqual(BigNum(0x0100).twosComplementBytes, [0x01, 0x00])
        let minusOne = BigNum(twosComplement: [0xff])
        XCTAssertTrue(minusOne.isNegative)
        XCTAssertEqual(minusOne.compare(BigNum(0) - 1), 0)
        XCTAssertEqual(minusOne.twosComplementBytes, [0xff])
        let minus128 = BigNum(twosComplement: [0x80])
        XCTAssertEqual(minus128.twosComplementBytes, [0x80])
        let minus129 = BigNum(0) - 129
        XCTAssertEqual(minus129.twosComplementBytes, [0xff, 0x7f])
        XCTAssertEqual(BigNum(twosComplement: [0x00, 0x80]).uintValue, 0x80)
        XCTAssertEqual(BigNum(twosComplement: [] as [UInt8]).uintValue, 0)
    }

    func testArithmetic() {
        let a = BigNum(1_000_003), b = BigNum(999_983)
        XCTAssertEqual((a * b).uintValue, 1_000_003 * 999_983)
        XCTAssertEqual((a - b).uintValue, 20)
        XCTAssertEqual((b - a).signum, -1)
        XCTAssertEqual((b - a).mod(a).uintValue, 1_000_003 - 20, "mod is non-negative")
        XCTAssertEqual((a + b).uintValue, 1_999_986)
        XCTAssertEqual(BigNum(12).gcd(BigNum(18)).uintValue, 6)
        XCTAssertEqual(BigNum(4).lcm(BigNum(6)).uintValue, 12)
        XCTAssertEqual(BigNum(3).inverse(modulo: BigNum(7))?.uintValue, 5)
        XCTAssertNil(BigNum(6).inverse(modulo: BigNum(9)), "no inverse when not coprime")
        XCTAssertEqual(BigNum(100).quotient(BigNum(7)).uintValue, 14)
        XCTAssertEqual(BigNum(100).remainder(7), 2)
    }

    func testPowerPlainAndSecureAgree() {
        var generator = TestRandom(seed: 1)
        let modulus = BigNum.random(bits: 512, secret: false, using: &generator)
        modulus.setBit(0)
        modulus.setBit(511)
        for _ in 0..<20 {
            let base = BigNum.random(below: modulus, secret: false, using: &generator)
            let exponent = BigNum.random(bits: 300, secret: true, using: &generator)
            exponent.setBit(299)
            let plain = base.power(exponent, modulo: modulus)
            let secure = base.powerSecure(exponent, modulo: modulus)
            XCTAssertEqual(plain, secure)
            XCTAssertTrue(secure.isSecret, "the result of a secret exponent is secret")
        }
        XCTAssertEqual(BigNum(4).power(BigNum(13), modulo: BigNum(497)).uintValue, 445)
        XCTAssertEqual(BigNum(4).powerSecure(BigNum(13), modulo: BigNum(497)).uintValue, 445)
    }

    func testPrimality() {
        XCTAssertTrue(BigNum(65537).isProbablePrime(millerRabinRounds: 5))
        XCTAssertFalse(BigNum(561).isProbablePrime(millerRabinRounds: 5), "Carmichael number")
        XCTAssertFalse(BigNum(3_215_031_751).isProbablePrime(millerRabinRounds: 5), "strong pseudoprime to bases 2, 3, 5, 7")
        // 2^127 - 1 is prime, 2^128 + 1 is not.
        let m127 = BigNum(1); m127.setShiftedLeft(m127, by: 127)
        XCTAssertTrue((m127 - 1).isProbablePrime(millerRabinRounds: 5))
        let f7 = BigNum(1); f7.setShiftedLeft(f7, by: 128)
        XCTAssertFalse((f7 + 1).isProbablePrime(millerRabinRounds: 5))
        XCTAssertEqual(BigNum.millerRabinRounds(forPrimeBits: 1024), 5)
        XCTAssertEqual(BigNum.millerRabinRounds(forPrimeBits: 1536), 4)
        XCTAssertEqual(BigNum.millerRabinRounds(forPrimeBits: 2048), 4)
    }

    func testRandomRanges() {
        var generator = TestRandom(seed: 7)
        for bits in [1, 7, 8, 9, 63, 64, 65, 1023] {
            for _ in 0..<20 {
                XCTAssertLessThanOrEqual(BigNum.random(bits: bits, secret: false, using: &generator).bitWidth, bits)
            }
        }
        let bound = BigNum(10)
        var seen = Set<UInt>()
        for _ in 0..<400 {
            let value = BigNum.random(below: bound, secret: false, using: &generator)
            XCTAssertTrue(value.compare(1) >= 0 && value < bound)
            seen.insert(value.uintValue!)
        }
        XCTAssertEqual(seen, Set(1...9), "every value in 1..<10 is drawn")
    }

    func testSecretsDoNotPrint() {
        let secret = BigNum(unsignedBytes: [0xde, 0xad, 0xbe, 0xef], secret: true)
        XCTAssertFalse(secret.description.lowercased().contains("deadbeef"))
        XCTAssertEqual(secret.hexString, "<secret>")
        XCTAssertEqual(BigNum(unsignedBytes: [0xde, 0xad]).description, "0xdead")
        XCTAssertTrue((secret * BigNum(3)).isSecret, "secrecy propagates")
        XCTAssertFalse(secret.copy(secret: false).isSecret)
    }

    func testWipeAndSwap() {
        let value = BigNum(unsignedBytes: [UInt8](repeating: 0xaa, count: 64), secret: true)
        value.wipe()
        XCTAssertTrue(value.isZero)
        let a = BigNum(5, secret: true), b = BigNum(9, secret: true)
        a.swapValue(with: b)
        XCTAssertEqual(a.uintValue, 9)
        XCTAssertEqual(b.uintValue, 5)
    }

    func testBytesIntoBuffer() {
        let value = BigNum(0x0102)
        var buffer = [UInt8](repeating: 0xff, count: 4)
        XCTAssertTrue(buffer.withUnsafeMutableBufferPointer { value.writeUnsignedBytes(into: $0) })
        XCTAssertEqual(buffer, [0, 0, 1, 2])
        var small = [UInt8](repeating: 0, count: 1)
        XCTAssertFalse(small.withUnsafeMutableBufferPointer { value.writeUnsignedBytes(into: $0) })
    }
}

/// A deterministic generator for tests only (SplitMix64).
struct TestRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
