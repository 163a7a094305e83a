@testable import Registrar
import TestSupport
import XCTest

/// `SQLiteStore.translate` (`$N` → `?N` where the `$` does not follow a letter): the byte
/// path for ASCII statements against the character by character rule, over random
/// statements and the registrar's own multi-row inserts.
final class SQLiteTranslateTests: XCTestCase {
    /// The rule, character by character (what every statement went through before).
    static func reference(_ sql: String) -> String {
        var out = ""
        var previous: Character = " "
        for character in sql {
            if character == "$", !previous.isLetter { out.append("?") } else { out.append(character) }
            previous = character
        }
        return out
    }

    func testRandomStatements() {
        var random = SeededGenerator(seed: 0x5_0_1_7E)
        let pieces = ["$", "$1", "a$", "Z$2", "_$3", "9$", " ", "(", ")", ",", "'", "\n", "\r\n", "é$", "ß", "λ$4", "→$", "`$", "{$", "@$", "[$", "x"]
        for _ in 0..<2_000 {
            let sql = (0..<Int.random(in: 0...24, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            XCTAssertEqual(SQLiteStore.translate(sql), Self.reference(sql), sql)
        }
        for byte in UInt8(0)..<0x80 {
            let sql = String(decoding: [byte, UInt8(ascii: "$"), UInt8(ascii: "1")], as: UTF8.self)
            XCTAssertEqual(SQLiteStore.translate(sql), Self.reference(sql), "\(byte)")
        }
    }

    func testMultiRowInsert() {
        let sql = SQLiteStore.Transaction.insertStatement(table: "certs", columns: RegistrarService.certColumns, rows: 60,
                                                          conflict: "ON CONFLICT DO NOTHING")
        XCTAssertEqual(SQLiteStore.translate(sql), Self.reference(sql))
        XCTAssertTrue(SQLiteStore.translate(sql).contains("(?1, ?2, "))
        XCTAssertFalse(SQLiteStore.translate(sql).contains("$"))
    }
}
