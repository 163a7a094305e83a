import XCTest
@testable import PolicyLanguage

final class SlabListTests: XCTestCase {
    func testListsShareChunksAndKeepTheirElements() {
        var slab = Slab<String>()
        var lists: [SlabList<String>] = []
        for index in 0..<200 {
            lists.append(slab.store((0..<(index % 5)).map { "item-\(index)-\($0)-with-a-long-heap-string" }))
        }
        for (index, list) in lists.enumerated() {
            XCTAssertEqual(Array(list), (0..<(index % 5)).map { "item-\(index)-\($0)-with-a-long-heap-string" })
        }
        XCTAssertTrue(lists[1].chunk === lists[2].chunk, "small lists share a chunk")
    }

    func testEmptyListsNeedNoChunk() {
        var slab = Slab<Int>()
        let empty = slab.store([])
        XCTAssertTrue(empty.isEmpty)
        XCTAssertNil(empty.chunk)
        XCTAssertEqual(empty, SlabList<Int>())
    }

    func testLargeListsGetAChunkOfTheirSize() {
        var slab = Slab<Int>()
        let big = slab.store(Array(0..<5000))
        XCTAssertEqual(big.count, 5000)
        XCTAssertEqual(big.last, 4999)
        XCTAssertEqual(big.chunk?.capacity, 5000)
    }

    func testValueSemantics() {
        let a: SlabList = [1, 2, 3]
        let b = SlabList([1, 2, 3])
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.hashValue, b.hashValue)
        XCTAssertNotEqual(a, [1, 2])
        XCTAssertEqual(a.description, "[1, 2, 3]")
    }

    func testElementsOutliveTheSlab() {
        weak var weakChunk: SlabChunk<String>?
        var list: SlabList<String>? = {
            var slab = Slab<String>()
            let list = slab.store(["kept"])
            weakChunk = list.chunk
            return list
        }()
        XCTAssertEqual(list?.first, "kept")
        list = nil
        XCTAssertNil(weakChunk, "the chunk is freed with its last list")
    }
}
