// libFuzzer target for the policy front end: the lexer, the parser (with its
// recovery), the renderers and the formatter. Built by `scripts/fuzz-policy`
// together with the Diagnostics and PolicyLanguage sources as one module.
//
// Checked on every input: no crash, no hang (libFuzzer's -timeout), and for each
// input that parses without errors: the formatted text parses without errors, has
// the same declarations and comments, and formatting it again changes nothing.

@_cdecl("LLVMFuzzerTestOneInput")
public func policyFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var sources = SourceManager()
    let file = sources.add(name: "fuzz.vp", bytes: bytes)
    let result = PolicyParser.parse(file, options: .init(errorLimit: 50))
    _ = HumanRenderer(colour: true).render(result.diagnostics, sources: sources)
    _ = JSONRenderer().render(result.diagnostics, sources: sources)
    _ = GitHubRenderer().render(result.diagnostics, sources: sources)
    guard !result.hasErrors else { return 0 }

    let once = PolicyFormatter.formatBytes(result.policy, source: file)
    let formattedFile = sources.add(name: "once.vp", bytes: once)
    let reparsed = PolicyParser.parse(formattedFile)
    if reparsed.hasErrors {
        fatalError("formatted output does not parse:\n" + HumanRenderer().render(reparsed.diagnostics, sources: sources))
    }
    if reparsed.policy.declarations.count != result.policy.declarations.count {
        fatalError("formatting changed the number of declarations")
    }
    let commentTexts = { (policy: PolicyFile, source: SourceFile) in
        policy.comments.map { range -> [UInt8] in
            var text = Array(source.bytes[Int(range.start)..<Int(range.end)])
            while let last = text.last, last == 0x20 || last == 0x09 { text.removeLast() }
            return text
        }
    }
    if commentTexts(reparsed.policy, formattedFile) != commentTexts(result.policy, file) {
        fatalError("formatting lost or changed a comment")
    }
    _ = FormatDiff.summary(original: String(decoding: bytes, as: UTF8.self),
                           formatted: String(decoding: once, as: UTF8.self), name: "fuzz.vp")
    let twice = PolicyFormatter.formatBytes(reparsed.policy, source: formattedFile)
    if twice != once {
        fatalError("fmt is not idempotent:\n--- once\n\(String(decoding: once, as: UTF8.self))\n--- twice\n\(String(decoding: twice, as: UTF8.self))")
    }
    return 0
}
