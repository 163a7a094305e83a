import Foundation
import SExpr
import SPKI

/// Reads the `(name value)` members of one S-expression of a bundle file, with errors
/// that name the file and the member.
struct SExprFields {
    let value: SExpr
    let file: String

    init(_ value: SExpr, file: String) {
        self.value = value
        self.file = file
    }

    static func parse(_ bytes: [UInt8], file: String) throws(AgentError) -> SExpr {
        do {
            return try SExpr.parse(bytes)
        } catch {
            throw malformed(file, "not one S-expression: \(error.message) at \(error.line):\(error.column)")
        }
    }

    static func malformed(_ file: String, _ what: String) -> AgentError {
        AgentError(.bundleRefused, "`\(file)` is malformed: \(what)")
    }

    /// The member `(name …)`.
    func list(_ name: String) throws(AgentError) -> SExpr {
        guard let member = value.first(name) else {
            throw Self.malformed(file, "`(\(name) …)` is missing in `(\(value.head ?? "?") …)`")
        }
        return member
    }

    /// The text of `(name "text")`.
    func text(_ name: String) throws(AgentError) -> String {
        guard let text = try optionalText(name) else { throw Self.malformed(file, "`(\(name) …)` is missing in `(\(value.head ?? "?") …)`") }
        return text
    }

    func optionalText(_ name: String) throws(AgentError) -> String? {
        guard let member = value.first(name) else { return nil }
        guard member.tail.count == 1, let text = member.tail.first?.text else {
            throw Self.malformed(file, "`(\(name) …)` does not hold one text atom")
        }
        return text
    }

    /// The date of `(name "2026-12-01_08:00:00")`.
    func date(_ name: String) throws(AgentError) -> Date {
        guard let date = try optionalDate(name) else { throw Self.malformed(file, "`(\(name) …)` is missing") }
        return date
    }

    func optionalDate(_ name: String) throws(AgentError) -> Date? {
        guard let text = try optionalText(name) else { return nil }
        guard let parsed = try? SPKIDate.parse(spki: Array(text.utf8)) else {
            throw Self.malformed(file, "`(\(name) \(text))` is not an SPKI date")
        }
        return Date(timeIntervalSince1970: TimeInterval(parsed.date.secondsSinceEpoch))
    }
}
