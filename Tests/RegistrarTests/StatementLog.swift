@testable import Registrar
import Synchronization

/// A database that records every statement run through it: its text, the values bound,
/// their bytes, the rows returned, and whether it ran in a transaction. For tests that
/// check what a renewal pass sends to the database.
final class StatementLog: RegistrarDatabase {
    struct Entry: Sendable {
        var sql: String
        var binds: Int
        /// Bytes of the text and binary values bound.
        var bytesBound: Int
        var rows: Int
        var inTransaction: Bool

        /// The statement's first words, e.g. `INSERT INTO certs`, `SELECT vpxi, hash`.
        var head: String { sql.split(whereSeparator: \.isWhitespace).prefix(3).joined(separator: " ") }
    }

    let inner: any RegistrarDatabase
    private let entries = Mutex<[Entry]>([])

    init(_ inner: any RegistrarDatabase) { self.inner = inner }

    var dialect: DBDialect { inner.dialect }

    /// The statements logged since the last call, in order.
    func take() -> [Entry] {
        entries.withLock { entries in
            defer { entries.removeAll() }
            return entries
        }
    }

    func log(_ sql: String, _ binds: [DBValue], rows: Int, inTransaction: Bool) {
        let bytes = binds.reduce(0) { total, value in
            switch value {
            case .text(let text): return total + text.utf8.count
            case .bytes(let bytes): return total + bytes.count
            case .int, .null: return total
            }
        }
        let entry = Entry(sql: sql, binds: binds.count, bytesBound: bytes, rows: rows, inTransaction: inTransaction)
        entries.withLock { $0.append(entry) }
    }

    struct Transaction: DBTransaction {
        let inner: any DBTransaction
        let log: StatementLog
        var dialect: DBDialect { inner.dialect }

        func query(_ sql: String, _ binds: [DBValue]) async throws -> [DBRow] {
            let rows = try await inner.query(sql, binds)
            log.log(sql, binds, rows: rows.count, inTransaction: true)
            return rows
        }
    }

    func transaction<T: Sendable>(_ body: @Sendable (any DBTransaction) async throws -> T) async throws -> T {
        try await inner.transaction { tx in try await body(Transaction(inner: tx, log: self)) }
    }

    func read(_ sql: String, _ binds: [DBValue]) async throws -> [DBRow] {
        let rows = try await inner.read(sql, binds)
        log(sql, binds, rows: rows.count, inTransaction: false)
        return rows
    }

    func close() async { await inner.close() }
}
