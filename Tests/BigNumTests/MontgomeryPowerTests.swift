import BigNum
import XCTest

final class MontgomeryPowerTests: XCTestCase {
    func testAgreesWithPowerForManyModuliExponentsAndBases() throws {
        var generator = TestRandom(seed: 11)
        var checked = 0
        for bits in [3, 64, 65, 127, 128, 129, 512, 1024, 2048, 3072, 4096, 4097] {
            let n = BigNum.random(bits: bits, secret: false, using: &generator)
            n.setBit(bits - 1)
            n.setBit(0)
            var exponents: [UInt] = [1, 2, 3, 4, 17, 65537, 0x3fff_ffff_ffff_ffff]
            exponents.append(UInt(generator.next() >> 2) | 1)
            exponents.append(UInt(generator.next() >> 40))
            for exponent in exponents where exponent > 0 {
                let e = BigNum(exponent)
                let context = try XCTUnwrap(MontgomeryPower(modulus: n, exponent: e), "\(bits) bits, e = \(exponent)")
                var bases = [BigNum(0), BigNum(1), n - 1, n - 2]
                for _ in 0..<4 { bases.append(BigNum.random(below: n, secret: false, using: &generator)) }
                for base in bases where !base.isNegative {
                    let expected = base.power(e, modulo: n)
                    let result = BigNum(12345)
                    context.power(base, into: result)
                    XCTAssertEqual(result, expected, "\(bits)-bit modulus, e = \(exponent), base \(base)")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 700)
    }

    func testRefusesWhatItCannotDo() {
        XCTAssertNil(MontgomeryPower(modulus: BigNum(100), exponent: BigNum(3)), "even modulus")
        XCTAssertNil(MontgomeryPower(modulus: BigNum(1), exponent: BigNum(3)), "modulus 1")
        XCTAssertNil(MontgomeryPower(modulus: BigNum(101), exponent: BigNum(0)), "exponent 0")
        let big = BigNum(1); big.setShiftedLeft(big, by: 62)
        XCTAssertNil(MontgomeryPower(modulus: BigNum(101), exponent: big), "exponent of 63 bits")
        XCTAssertNotNil(MontgomeryPower(modulus: BigNum(101), exponent: big - 1))
    }
}

extension MontgomeryPowerTests {
    func testBigEndianBytesInAndOut() throws {
        var generator = TestRandom(seed: 5)
        for bits in [64, 1000, 2048, 3071] {
            let n = BigNum.random(bits: bits, secret: false, using: &generator)
            n.setBit(bits - 1)
            n.setBit(0)
            let e = BigNum(65537)
            let context = try XCTUnwrap(MontgomeryPower(modulus: n, exponent: e))
            let k = n.byteWidth
            for _ in 0..<10 {
                let base = BigNum.random(below: n, secret: false, using: &generator)
                var output = [UInt8](repeating: 0xee, count: k)
                XCTAssertTrue(context.power(bigEndian: base.unsignedBytes(length: k)!, into: &output))
                XCTAssertEqual(output, base.power(e, modulo: n).unsignedBytes(length: k))
                // Extra leading zero bytes and a wider output are fine.
                var wide = [UInt8](repeating: 0xee, count: k + 9)
                XCTAssertTrue(context.power(bigEndian: [0, 0, 0] + base.unsignedBytes(length: k + 9)!, into: &wide))
                XCTAssertEqual(wide, base.power(e, modulo: n).unsignedBytes(length: k + 9))
            }
            var untouched = [UInt8](repeating: 7, count: k)
            XCTAssertFalse(context.power(bigEndian: n.unsignedBytes()!, into: &untouched), "n itself is not below n")
            XCTAssertFalse(context.power(bigEndian: (n + 1).unsignedBytes()!, into: &untouched))
            XCTAssertFalse(context.power(bigEndian: [1] + [UInt8](repeating: 0, count: k + 8), into: &untouched), "too long")
            XCTAssertEqual(untouched, [UInt8](repeating: 7, count: k))
        }
    }
}
