/// The node array of a document: one malloc'd block, filled once by the parser (which
/// grows it with `realloc`, so the final array is never copied) and read-only afterwards.
@usableFromInline
final class NodeStore: @unchecked Sendable {
    // Safe to share: nothing mutates the block after `init`.
    @usableFromInline let base: UnsafeMutablePointer<SExprDocument.Node>
    @usableFromInline let count: Int

    /// Takes ownership of `base`, which must come from `malloc`/`realloc`.
    init(adopting base: UnsafeMutablePointer<SExprDocument.Node>, count: Int) {
        self.base = base
        self.count = count
    }

    convenience init(_ nodes: [SExprDocument.Node]) {
        let base = NodeStore.allocate(max(1, nodes.count))
        nodes.withUnsafeBufferPointer { buffer in
            if let source = buffer.baseAddress { base.update(from: source, count: nodes.count) }
        }
        self.init(adopting: base, count: nodes.count)
    }

    deinit {
        free(base)
    }

    @inlinable subscript(_ index: Int) -> SExprDocument.Node {
        precondition(index >= 0 && index < count, "node index \(index) out of range 0..<\(count)")
        return base[index]
    }

    @inlinable func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<SExprDocument.Node>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// Allocates room for `capacity` nodes. Large blocks are aligned to 2 MiB and marked for
    /// transparent huge pages, which saves a page fault per 4 KiB as the parser fills them.
    static func allocate(_ capacity: Int) -> UnsafeMutablePointer<SExprDocument.Node> {
        let bytes = capacity * MemoryLayout<SExprDocument.Node>.stride
        var raw: UnsafeMutableRawPointer? = nil
        #if os(Linux)
        let hugePage = 2 << 20
        if bytes >= 4 * hugePage, posix_memalign(&raw, hugePage, bytes) == 0, let block = raw {
            _ = madvise(block, bytes, MADV_HUGEPAGE)
        }
        #endif
        if raw == nil { raw = malloc(bytes) }
        return raw!.bindMemory(to: SExprDocument.Node.self, capacity: capacity)
    }

    /// Grows a block allocated by `allocate` to `capacity` nodes, keeping its contents.
    static func grow(_ base: UnsafeMutablePointer<SExprDocument.Node>, to capacity: Int) -> UnsafeMutablePointer<SExprDocument.Node> {
        let raw = realloc(base, capacity * MemoryLayout<SExprDocument.Node>.stride)!
        return raw.bindMemory(to: SExprDocument.Node.self, capacity: capacity)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
