import RSA
import SExpr
import XCTest

/// Damaged key files never crash the reader: every mutation either loads (to a key that
/// still passes the consistency checks) or fails with a coded error and a message.
final class KeyFileRobustnessTests: XCTestCase {
    static let shared = Result { try RSAKeyGenerator.generate(bits: 2048) }

    func mutate(_ bytes: [UInt8], _ generator: inout TestRandom) -> [UInt8] {
        var copy = bytes
        switch generator.next() % 5 {
        case 0:  // flip a bit
            let index = Int(generator.next() % UInt64(copy.count))
            copy[index] ^= UInt8(1 << (generator.next() % 8))
        case 1:  // truncate
            copy = Array(copy.prefix(Int(generator.next() % UInt64(copy.count))))
        case 2:  // insert a byte
            copy.insert(UInt8(truncatingIfNeeded: generator.next()), at: Int(generator.next() % UInt64(copy.count + 1)))
        case 3:  // delete a run
            let start = Int(generator.next() % UInt64(copy.count))
            copy.removeSubrange(start..<min(copy.count, start + 1 + Int(generator.next() % 16)))
        default:  // overwrite a byte with a structural character
            let index = Int(generator.next() % UInt64(copy.count))
            copy[index] = Array("()|-=:\n0\u{30}\u{ff}".utf8)[Int(generator.next() % 11)]
        }
        return copy
    }

    func testMutatedKeyFilesNeverCrash() throws {
        let file = RSAKeyFile(privateKey: try Self.shared.get(), comment: "robust")
        var inputs: [[UInt8]] = []
        for format in RSAKeyFile.OutputFormat.allCases {
            inputs.append(file.privateKeyBytes(format)!)
            inputs.append(file.publicKeyBytes(format))
        }
        let key = try Self.shared.get()
        inputs += [RSADER.pkcs1(key), RSADER.pkcs8(key), RSADER.spki(key.publicKey), RSADER.pkcs1(key.publicKey),
                   RSASExpr.privateKey(key).canonical, RSASExpr.publicKey(key.publicKey).canonical]
        var generator = TestRandom(seed: 2026)
        var loaded = 0, rejected = 0
        var codes = Set<RSAError.Code>()
        for input in inputs {
            for _ in 0..<150 {
                var damaged = mutate(input, &generator)
                if generator.next() % 3 == 0 { damaged = mutate(damaged, &generator) }
                do {
                    let result = try RSAKeyFile.load(damaged)
                    XCTAssertGreaterThanOrEqual(result.publicKey.bitLength, RSAPublicKey.minimumBits)
                    loaded += 1
                } catch {
                    XCTAssertFalse(error.message.isEmpty)
                    codes.insert(error.code)
                    rejected += 1
                }
            }
        }
        XCTAssertEqual(loaded + rejected, inputs.count * 150)
        XCTAssertGreaterThan(rejected, inputs.count * 50, "most damage is detected")
        XCTAssertGreaterThan(codes.count, 10, "damage is reported with specific codes: \(codes.map(\.rawValue).sorted())")
    }

    func testMutatedSignatureObjectsNeverCrash() throws {
        let key = try Self.shared.get()
        let file = RSAKeyFile(privateKey: key)
        let content: SExpr = ["cert", ["subject", "alice"]]
        let signature = try SPKISignature.sign(canonical: content.canonical, signer: RSASigner(key: key), principal: file.publicKeySExpr)
        let bytes = signature.sexp.canonical
        var generator = TestRandom(seed: 7)
        var valid = 0
        for _ in 0..<400 {
            let damaged = mutate(bytes, &generator)
            guard let value = try? SExpr.parse(damaged) else { continue }
            do {
                try SPKISignature(parsing: value).verify(canonical: content.canonical, key: file)
                valid += 1
            } catch {
                XCTAssertFalse(error.message.isEmpty)
            }
        }
        XCTAssertLessThan(valid, 40, "damaged signatures are refused (a few mutations only touch display-neutral bytes)")
    }
}
