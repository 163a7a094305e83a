import XCTest
@testable import PolicyCompiler

final class ExpectationCheckerTests: XCTestCase {
    func testClusterTargetsTimesAndDelegations() throws {
        let text = Fixtures.vpxi("""
              cluster w[3]
              grant alice ssh, file(read, "/data") on w
              grant bob via alice ssh on w[1..2] during 2026-12-01T08:00Z .. 2026-12-02T08:00Z
              test {
                expect alice can ssh on w at 2026-12-01T09:00Z
                expect bob can ssh on w[1..2] at 2026-12-01T09:00Z
                expect bob cannot ssh on w[3] at 2026-12-01T09:00Z
                expect bob cannot ssh on w[1] at 2026-12-02T12:00Z
                expect bob cannot file(read, "/data") on w[1] at 2026-12-01T09:00Z
                expect alice can file(read, "/data/x") on w[3] at 2026-12-01T09:00Z
                expect alice cannot file(write, "/data/x") on w[3] at 2026-12-01T09:00Z
                expect alice cannot ssh on w[1] at 2026-12-04T00:00Z
                expect alice can ssh on w[1] at 2026-12-01T07:00Z
              }
            """)
        let ir = try ReductionTests.generatedIR(text, test: self)
        let outcomes = ExpectationChecker.check(ir, at: CompileFixture.at)
        XCTAssertEqual(outcomes.count, 9)
        XCTAssertEqual(outcomes.map(\.passed), [true, true, true, true, true, true, true, true, false],
                       outcomes.map { "\($0.description): \($0.detail ?? "")" }.joined(separator: "\n"))
        // Before the window, the first epoch's certs are not valid yet.
        XCTAssertTrue(outcomes[8].detail?.contains("is valid from 2026-12-01T08:00:00Z") ?? false, outcomes[8].detail ?? "")
        XCTAssertEqual(outcomes[0].description, "alice can ssh on w at 2026-12-01T09:00:00Z")
    }
}

extension ExpectationCheckerTests {
    /// The large generated pool's 14 expectations hold (machine keys are stand-ins: the
    /// expectations need their hashes, not their private halves).
    func testTheLargePoolsExpectationsHold() throws {
        let analysis = try CompileFixture.analysis("large-pool")
        let model = analysis.model
        var seed = 0
        let machines = model.vpxis.map { vpxi in vpxi.machines.map { _ -> PublicKeyInfo in seed += 1; return LargePolicy.fakeKey(seed) } }
        let keys = ResolvedKeys(machines: machines, signers: [:], hosts: [:], generated: [])
        let ir = InfrastructureIR(model: model, placement: try XCTUnwrap(analysis.placement), keys: keys)
        let outcomes = ExpectationChecker.check(ir, at: 1_796_083_200)
        XCTAssertEqual(outcomes.count, 14)
        XCTAssertTrue(outcomes.allSatisfy(\.passed), outcomes.filter { !$0.passed }.map { "\($0.description): \($0.detail ?? "")" }.joined(separator: "\n"))
        let plan = CertPlanner(ir: ir).plan(at: 1_796_083_200)
        XCTAssertEqual(plan.certs.count, 1111)
        XCTAssertEqual(plan.chains.count, 740)
    }
}
