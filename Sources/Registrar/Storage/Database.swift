/// A value bound to or read from a query. The schema uses integers, text and, for the
/// bundles' bytes, one binary column (`BYTEA`: PostgreSQL's bytes; SQLite stores a blob
/// in it as it is), so that SQLite and PostgreSQL read the same statements.
public enum DBValue: Sendable, Hashable {
    case int(Int64)
    case text(String)
    /// Bytes (a blob on SQLite, `bytea` on PostgreSQL).
    case bytes([UInt8])
    case null

    public var int: Int64? {
        switch self {
        case .int(let value): return value
        case .text(let text): return Int64(text)
        case .bytes, .null: return nil
        }
    }

    public var text: String? {
        switch self {
        case .text(let value): return value
        case .int(let value): return String(value)
        case .bytes, .null: return nil
        }
    }

    /// The bytes of a binary value (nil for the others).
    public var bytes: [UInt8]? {
        if case .bytes(let value) = self { return value }
        return nil
    }
}

/// One result row: its values by column name (lowercase).
public struct DBRow: Sendable {
    public var values: [String: DBValue]

    public init(values: [String: DBValue]) { self.values = values }

    public subscript(_ column: String) -> DBValue { values[column] ?? .null }

    /// The integer in `column`, or a storage error naming it.
    public func int(_ column: String) throws(RegistrarError) -> Int64 {
        guard let value = self[column].int else { throw .storage("column `\(column)` is not an integer") }
        return value
    }

    /// The text in `column`, or a storage error naming it.
    public func text(_ column: String) throws(RegistrarError) -> String {
        guard let value = self[column].text else { throw .storage("column `\(column)` is empty") }
        return value
    }
}

/// The SQL dialect of a database, where the two engines differ.
public enum DBDialect: String, Sendable {
    case sqlite
    case postgres
}

/// A transaction: statements written with `$1`, `$2`... placeholders.
public protocol DBTransaction: Sendable {
    var dialect: DBDialect { get }
    /// Runs one statement and returns its rows.
    @discardableResult
    func query(_ sql: String, _ binds: [DBValue]) async throws -> [DBRow]
}

/// The storage engine under the registrar: SQLite embedded, or PostgreSQL shared by
/// several registrars. Every change happens in a transaction; a transaction that throws
/// is rolled back, one that returns is committed before the caller sees its result.
public protocol RegistrarDatabase: Sendable {
    var dialect: DBDialect { get }
    /// Runs `body` in a transaction, retried (from the start) when the engine reports a
    /// serialization failure or a deadlock.
    func transaction<T: Sendable>(_ body: @Sendable (any DBTransaction) async throws -> T) async throws -> T
    /// A read outside any transaction (one statement sees a consistent snapshot).
    func read(_ sql: String, _ binds: [DBValue]) async throws -> [DBRow]
    /// Closes the connections.
    func close() async
}

/// Opens a database by its URL.
public enum DatabaseOpener {
    /// Opens the database named by `url`: `postgres://user[:password]@host[:port]/db`
    /// (or `postgresql://`), else an SQLite file path (created when missing).
    public static func open(_ url: String) async throws(RegistrarError) -> any RegistrarDatabase {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return try await PostgresStore.open(url)
        }
        return try await SQLiteStore.open(path: url)
    }
}
