@testable import Backends
import SExpr
import SPKI
import XCTest

/// `authorized.sexp` is written from each login's chain as canonical bytes
/// (`AuthorizedFile.append(canonical:to:)`, no `SExpr` values): the same document, and so
/// the same printed bytes, as the chain's value flattened into it.
final class AuthorizedFileCanonicalTests: XCTestCase {
    /// Property: random values (nested lists, empty lists, hinted and empty atoms, bytes
    /// of every value) appended from their canonical bytes print as the values appended.
    func testRandomChainsGiveTheValuesBytes() {
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int(seed >> 33)
        }
        func random(_ depth: Int) -> SExpr {
            if depth > 4 || next() % 3 == 0 {
                let bytes = (0..<(next() % 40)).map { _ in UInt8(next() % 256) }
                return .bytes(bytes, hint: next() % 5 == 0 ? Array("text/plain".utf8) : nil)
            }
            return .list((0..<(next() % 5)).map { _ in random(depth + 1) })
        }
        for round in 0..<300 {
            let chain = SExpr.list(["sequence", random(0), random(0), random(1)])
            var fromValue = SExprDocument.Builder()
            var fromBytes = SExprDocument.Builder()
            fromValue.open("chain")
            fromValue.append(chain)
            fromValue.close()
            fromBytes.open("chain")
            AuthorizedFile.append(canonical: chain.canonical, to: &fromBytes)
            fromBytes.close()
            for width in [0, 40, 100] {
                XCTAssertEqual(AdvancedPrinter(width: width).print(fromBytes.build()), AdvancedPrinter(width: width).print(fromValue.build()),
                               "round \(round), width \(width)")
            }
        }
    }

    /// A login keeps its chain as canonical bytes: given as a value, it reads back the same
    /// value; given as bytes, the bytes are kept as they are.
    func testLoginChainRoundTrip() throws {
        let chain: SExpr = ["sequence", ["cert", ["issuer", .bytes([0, 1, 2], hint: Array("h".utf8))], ["subject", "u"]], ["signature", "x"]]
        var login = BundlePlan.Login(vm: "vm-1", user: "alice", chain: chain, expires: SPKIDate(secondsSinceEpoch: 2_000_000_000))
        XCTAssertEqual(login.chainCanonical, chain.canonical)
        XCTAssertEqual(login.chain, chain)
        let bytes = BundlePlan.Login.sequenceCanonical([(["a"] as SExpr).canonical, SExpr.bytes([9, 9]).canonical])
        XCTAssertEqual(bytes, (["sequence", ["a"], .bytes([9, 9])] as SExpr).canonical)
        login = BundlePlan.Login(vm: "vm-1", user: "alice", chainCanonical: bytes, expires: login.expires)
        XCTAssertEqual(login.chain, ["sequence", ["a"], .bytes([9, 9])])
    }
}
