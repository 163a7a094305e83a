import SExpr

/// Short descriptions of input for messages.
enum Describe {
    /// "`(head …)`", "the atom `x`" or "an empty list".
    static func shape(_ value: SExpr) -> String {
        switch value {
        case .atom:
            return "the atom `\(clip(value.description))`"
        case .list(let items):
            if items.isEmpty { return "an empty list" }
            if let head = value.head { return "`(\(head) …)`" }
            return "`\(clip(value.description))`"
        }
    }

    /// One-line text, cut to `limit` characters.
    static func clip(_ text: String, _ limit: Int = 60) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
