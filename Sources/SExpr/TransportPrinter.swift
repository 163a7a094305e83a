/// Prints the transport form: `{base64 of the canonical bytes}`, wrapped to a width.
public struct TransportPrinter: Sendable {
    /// The line width of the output; 0 means no wrapping.
    public var width: Int

    public init(width: Int = 0) {
        self.width = width
    }

    /// `value` in transport form, without a final newline.
    public func print(_ value: SExpr) -> [UInt8] {
        var out: [UInt8] = []
        append(CanonicalPrinter.print(value), into: &out)
        return out
    }

    /// Every top-level expression of `document`, each followed by a newline.
    public func print(_ document: SExprDocument) -> [UInt8] {
        var out: [UInt8] = []
        var root = 0
        while root < document.nodeCount {
            append(CanonicalPrinter.print(document, node: root), into: &out)
            out.append(0x0A)
            root = document.subtreeEnd(root)
        }
        return out
    }

    func append(_ canonical: [UInt8], into out: inout [UInt8]) {
        var body: [UInt8] = [0x7B]
        canonical.withUnsafeBufferPointer { Base64.encode($0, into: &body) }
        body.append(0x7D)
        guard width > 0 else {
            out.append(contentsOf: body)
            return
        }
        var start = 0
        while start < body.count {
            let stop = min(start + width, body.count)
            if start > 0 { out.append(0x0A) }
            out.append(contentsOf: body[start..<stop])
            start = stop
        }
    }
}
