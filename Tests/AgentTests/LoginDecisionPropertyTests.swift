import Agent
import Foundation
import SPKI
import XCTest

/// A property of the login decisions, over random logins and times: at time T a login is
/// enforced exactly when the bundle says it holds (not-before ≤ T < expires) and its chain
/// is valid at T, until the earlier of the two ends; it is pending before its start,
/// inactive after its end, and refused when the bundle says it holds but the chain does not.
final class LoginDecisionPropertyTests: XCTestCase {
    /// xorshift64*: a fixed sequence, so a failure can be replayed.
    struct Random {
        var state: UInt64
        mutating func next(_ range: ClosedRange<Int64>) -> Int64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            let value = state &* 0x2545_F491_4F6C_DD1D
            return range.lowerBound + Int64(value % UInt64(range.upperBound - range.lowerBound + 1))
        }
    }

    func testDecisionsFollowTheBundleAndTheChain() throws {
        let start = BundleLab.spki("2026-12-01T08:00:00Z").secondsSinceEpoch
        let end = BundleLab.spki("2026-12-03T08:00:00Z").secondsSinceEpoch
        var random = Random(state: 0x9E37_79B9_7F4A_7C15)
        var seen = Set<String>()
        for round in 0..<12 {
            var logins: [BundleLab.Login] = []
            for index in 0..<Int(random.next(1...3)) {
                // Minutes, so that no bound falls on the checked second (which is odd).
                let notBefore = random.next(0...1) == 0 ? nil : start + random.next(0...2000) * 60
                let expires = (notBefore ?? start) + random.next(1...2000) * 60
                let chainEnd = random.next(0...1) == 0 ? expires : (notBefore ?? start) + random.next(1...2000) * 60
                logins.append(BundleLab.Login(
                    user: "u\(index)", notBefore: notBefore.map(SPKIDate.init(secondsSinceEpoch:)),
                    expires: SPKIDate(secondsSinceEpoch: expires),
                    chainValidity: Validity(notBefore: SPKIDate(secondsSinceEpoch: notBefore ?? start),
                                            notAfter: SPKIDate(secondsSinceEpoch: chainEnd))))
            }
            let lab = BundleLab(window: (SPKIDate(secondsSinceEpoch: start), SPKIDate(secondsSinceEpoch: end)),
                                generatedAt: SPKIDate(secondsSinceEpoch: start - 3600), logins: logins)
            let bundle = try AgentBundle.verify(files: try lab.files(), hostKey: try BundleLab.key("host-a").requirePrivateKey(),
                                                registrar: try BundleLab.key("registrar"))
            for _ in 0..<8 {
                let t = start + random.next(0...2400) * 60 + 1
                let time = Date(timeIntervalSince1970: TimeInterval(t))
                for (entry, decision) in bundle.logins(at: time) {
                    let login = logins.first { $0.user == entry.user }!
                    let notBefore = login.notBefore?.secondsSinceEpoch ?? Int64.min
                    let expires = login.expires.secondsSinceEpoch
                    let chainFrom = login.chainValidity!.notBefore!.secondsSinceEpoch
                    let chainEnd = login.chainValidity!.notAfter!.secondsSinceEpoch
                    let context = "round \(round), \(entry.user) at \(t): \(decision)"
                    switch decision {
                    case .inactive:
                        XCTAssertGreaterThanOrEqual(t, expires, context)
                        seen.insert("inactive")
                    case .pending(let from):
                        XCTAssertTrue(t < notBefore && t < expires, context)
                        XCTAssertEqual(Int64(from.timeIntervalSince1970), notBefore, context)
                        seen.insert("pending")
                    case .refused(let reason):
                        XCTAssertTrue(t >= notBefore && t < expires && !(chainFrom...chainEnd).contains(t), context)
                        XCTAssertTrue(reason.contains("the chain does not grant ssh"), context)
                        seen.insert("refused")
                    case .enforced(let enforced):
                        XCTAssertTrue(t >= notBefore && t < expires && (chainFrom...chainEnd).contains(t), context)
                        XCTAssertEqual(Int64(enforced.expiry.timeIntervalSince1970), min(expires, chainEnd), context)
                        seen.insert("enforced")
                    }
                }
            }
        }
        XCTAssertEqual(seen, ["inactive", "pending", "refused", "enforced"], "every decision was exercised")
    }
}
