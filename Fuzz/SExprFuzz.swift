// libFuzzer target for the S-expression parser and printers. Built by `scripts/fuzz sexp`
// together with the SExpr sources as one module, with -sanitize=fuzzer,address.
//
// Every accepted input must round-trip: its canonical bytes parse back to the same
// canonical bytes, and so do its advanced (several widths) and transport renderings.

@_cdecl("LLVMFuzzerTestOneInput")
public func sexprFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let document: SExprDocument
    do {
        document = try SExprParser(options: .init(maxDepth: 256)).parse(bytes)
    } catch {
        // Rejected input must still be described sensibly.
        precondition(error.offset >= 0 && error.offset <= size, "error offset \(error.offset) outside the input")
        precondition(error.line >= 1 && error.column >= 1, "bad error position")
        return 0
    }
    let canonical = CanonicalPrinter.print(document)
    func reparse(_ rendering: [UInt8], _ what: String) {
        do {
            let again = try SExprParser(options: .init(maxDepth: 256)).parse(rendering)
            precondition(CanonicalPrinter.print(again) == canonical, "\(what) does not round-trip")
        } catch {
            preconditionFailure("\(what) output does not parse: \(error)")
        }
    }
    reparse(canonical, "canonical")
    for width in [0, 16, 72] {
        reparse(AdvancedPrinter(width: width).print(document), "advanced width \(width)")
    }
    reparse(TransportPrinter(width: 0).print(document), "transport")
    reparse(TransportPrinter(width: 64).print(document), "transport width 64")
    // The value view agrees with the flat view.
    let values = document.values
    precondition(values.count == document.rootCount, "root count")
    var fromValues: [UInt8] = []
    for value in values { CanonicalPrinter.print(value, into: &fromValues) }
    precondition(fromValues == canonical, "values and document disagree")
    return 0
}
