import XCTest
@testable import PolicyCompiler

final class GraphRendererTests: XCTestCase {
    func testTopologyAndDelegations() {
        let model = Fixtures.model(Fixtures.vpxi("""
              node hub
              cluster leaf[2]
              link hub <-> leaf { bandwidth >= 1 Gbps latency <= 5ms protect aes-256-gcm }
              link hub -> leaf[1]
              grant alice ssh on all
              grant bob via alice ssh on leaf
            """))
        let dot = GraphRenderer(model: model, placement: Placer.place(model)).render()
        XCTAssertTrue(dot.hasPrefix("digraph spkic {"))
        XCTAssertTrue(dot.hasSuffix("}\n"))
        XCTAssertTrue(dot.contains("label=\"h-1 (kvm)\\nsite lyon\""), dot)
        XCTAssertTrue(dot.contains("\"study/hub\" -> \"study/leaf[1]\" [label=\">= 1 Gbps\\n<= 5 ms\\naes-256-gcm\", dir=both];"), dot)
        XCTAssertTrue(dot.contains("\"study/hub\" -> \"study/leaf[1]\" [label=\"\", style=dashed];"), "an unprotected one-way link")
        XCTAssertTrue(dot.contains("\"registrar:lyon\" -> \"user:alice\" [label=\"study: ssh on all, propagate\\n"), dot)
        XCTAssertTrue(dot.contains("\"user:alice\" -> \"user:bob\" [label=\"study: ssh on 2 machines\\n"), dot)
        XCTAssertTrue(dot.contains("certs 12h, renewed every 4h"), dot)
        XCTAssertEqual(dot, GraphRenderer(model: model, placement: Placer.place(model)).render(), "deterministic")
    }

    func testQuoting() {
        XCTAssertEqual(GraphRenderer.quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"")
    }
}
