import Diagnostics

/// The canonical formatter (`spkic fmt`). It formats a policy that parsed without
/// errors; formatting is idempotent and keeps every comment.
public enum PolicyFormatter {
    /// The canonical text of `policy`, whose source is `source`.
    public static func format(_ policy: PolicyFile, source: SourceFile) -> String {
        String(decoding: formatBytes(policy, source: source), as: UTF8.self)
    }

    /// The canonical text as UTF-8 bytes.
    public static func formatBytes(_ policy: PolicyFile, source: SourceFile) -> [UInt8] {
        let items = FormatItemBuilder(source: source).items(for: policy)
        var printer = FormatPrinter(source: source, comments: policy.comments)
        return printer.print(items)
    }
}
