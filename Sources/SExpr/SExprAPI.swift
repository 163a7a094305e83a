// Public entry points; see SExprParser, CanonicalPrinter, AdvancedPrinter, TransportPrinter.
extension SExpr {
    /// Parses every top-level expression in `bytes`, in any mix of canonical, advanced and
    /// transport forms.
    public static func parseAll(_ bytes: [UInt8], options: SExprParser.Options = .init()) throws(SExprError) -> [SExpr] {
        try SExprParser(options: options).parse(bytes).values
    }

    /// Parses exactly one expression; anything before or after it is an error.
    public static func parse(_ bytes: [UInt8], options: SExprParser.Options = .init()) throws(SExprError) -> SExpr {
        try SExprParser(options: options).parseOne(bytes)
    }

    /// Parses exactly one expression from UTF-8 text.
    public static func parse(_ text: String, options: SExprParser.Options = .init()) throws(SExprError) -> SExpr {
        try parse(Array(text.utf8), options: options)
    }

    /// The canonical encoding: `<len>:<bytes>`, `[<len>:<hint>]`, lists, no whitespace.
    public var canonical: [UInt8] { CanonicalPrinter.print(self) }

    /// The advanced (readable) form, broken across lines to `width` columns (0: one line).
    public func advanced(width: Int = 72) -> String {
        String(decoding: AdvancedPrinter(width: width).print(self), as: UTF8.self)
    }

    /// The transport form: `{base64 of the canonical bytes}`, wrapped to `width` (0: no wrapping).
    public func transport(width: Int = 0) -> String {
        String(decoding: TransportPrinter(width: width).print(self), as: UTF8.self)
    }
}
