import Agent
import TestSupport
import XCTest

/// `vpxi-agent run --mtu`: the outer path MTU, from which the TUN MTU is derived.
final class LinkMTUTests: XCTestCase {
    func testTunMTUFollowsTheLinkMTU() {
        XCTAssertEqual(DataPlane.tunMTU(linkMTU: 1500), 1475, "1500 - 20 - 8 - 37 + 40")
        XCTAssertEqual(DataPlane.tunMTU(linkMTU: 9000), 8975)
        XCTAssertEqual(DataPlane.tunMTU(linkMTU: 65535), 65490, "capped: room for every suite's overhead")
        XCTAssertEqual(DataPlane.tunMTU(linkMTU: 65535, outerIPv6: true, suite: .aes128CBCHMACSHA256), 65470, "65535 - 40 - 8 - 57 + 40")
        // The cap leaves a whole outer IPv4 datagram for the largest inner packet of every suite.
        for suite in ESPSuite.allCases {
            let payload = DataPlane.maximumTunMTU - BEETPacket.ipv6HeaderLength
            XCTAssertLessThanOrEqual(20 + 8 + ESPCodec.sealedLength(payload: payload, suite: suite), 65535, "\(suite)")
        }
        // The smallest link MTU still carries IPv6's 1280 with an IPv6 outer header and any suite.
        for suite in ESPSuite.allCases {
            XCTAssertGreaterThanOrEqual(DataPlane.tunMTU(linkMTU: DataPlane.minimumLinkMTU, outerIPv6: true, suite: suite), 1280, "\(suite)")
        }
    }

    func testOutOfRangeIsRefused() throws {
        XCTAssertEqual(try DataPlane.checkedLinkMTU(1345), 1345)
        XCTAssertEqual(try DataPlane.checkedLinkMTU(65535), 65535)
        for bad in [0, 1280, 1344, 65536] {
            XCTAssertThrowsError(try DataPlane.checkedLinkMTU(bad)) { error in
                XCTAssertEqual((error as? AgentError)?.code, .invalidInput)
                XCTAssertTrue("\(error)".contains("help:"), "\(error)")
            }
        }
        let agent = PackagePaths.executable("vpxi-agent")
        let result = try ExternalTool.run(agent, ["run", "--input", "/nonexistent.json", "--key", "/nonexistent.key", "--mtu", "70000"])
        XCTAssertEqual(result.status, 2, result.stderrText)
        XCTAssertTrue(result.stderrText.contains("--mtu 70000"), result.stderrText)
    }
}
