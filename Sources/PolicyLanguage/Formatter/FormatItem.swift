import Diagnostics

/// The formatter's view of the tree: lines of text, and blocks of them. Built from
/// the AST by `FormatItemBuilder`, laid out by `FormatPrinter`.
indirect enum FormatItem {
    /// A construct printed on one line.
    case line(String, range: SourceRange)
    /// `header { children }`, on one line or several.
    case block(header: String, children: [FormatItem], body: SourceRange, range: SourceRange)

    var range: SourceRange {
        switch self {
        case .line(_, let range): return range
        case .block(_, _, _, let range): return range
        }
    }
}
