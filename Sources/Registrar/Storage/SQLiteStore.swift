import Logging
import NIOCore
import SQLiteNIO
import Synchronization

/// The embedded store: one SQLite file in WAL mode, one connection for transactions
/// (`BEGIN IMMEDIATE`: one writer at a time) and one for reads, each used by one task at a
/// time.
public final class SQLiteStore: RegistrarDatabase {
    public var dialect: DBDialect { .sqlite }
    let writer: SQLiteConnection
    let reader: SQLiteConnection
    let writeLock = AsyncLock()
    let readLock = AsyncLock()
    let closed = Mutex(false)

    init(writer: SQLiteConnection, reader: SQLiteConnection) {
        self.writer = writer
        self.reader = reader
    }

    /// Opens (creating it when missing) the database file at `path`.
    public static func open(path: String) async throws(RegistrarError) -> SQLiteStore {
        var logger = Logger(label: "registrar.sqlite")
        logger.logLevel = .warning
        // Every connection opened is closed again when a later step fails: SQLiteNIO
        // requires it before a connection is freed.
        var opened: [SQLiteConnection] = []
        do {
            let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            opened.append(writer)
            // Pages of 64 KiB for a new database (an existing one keeps its own): a
            // renewal writes bundles and certs of several KB each, fewer and larger pages
            // mean fewer WAL frames and overflow pages. Only before the first table and
            // before WAL.
            _ = try await writer.query("PRAGMA page_size=65536", [])
            // WAL: readers do not block the writer; FULL: a committed transaction survives
            // a crash of the process or of the machine.
            _ = try await writer.query("PRAGMA journal_mode=WAL", [])
            _ = try await writer.query("PRAGMA synchronous=FULL", [])
            // Neither changes what is durable: a page cache of 32 MiB per connection (the
            // default 2 MiB made renewals read back the pages of the tables they append
            // to), and statement journals (a multi-row upsert's) in memory, not in a file.
            for pragma in ["busy_timeout=5000", "cache_size=-32768", "temp_store=MEMORY"] {
                _ = try await writer.query("PRAGMA " + pragma, [])
            }
            let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            opened.append(reader)
            for pragma in ["busy_timeout=5000", "cache_size=-32768"] {
                _ = try await reader.query("PRAGMA " + pragma, [])
            }
            return SQLiteStore(writer: writer, reader: reader)
        } catch {
            for connection in opened { try? await connection.close() }
            throw RegistrarError(.storage, "cannot open the SQLite database `\(path)`: \(error)",
                                 help: "give a writable path with --db FILE (its folder must exist)")
        }
    }

    struct Transaction: DBTransaction {
        let connection: SQLiteConnection
        var dialect: DBDialect { .sqlite }

        func query(_ sql: String, _ binds: [DBValue]) async throws -> [DBRow] {
            try await SQLiteStore.run(connection, sql, binds)
        }
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any DBTransaction) async throws -> T) async throws -> T {
        let connection = writer
        return try await writeLock.withLock {
            _ = try await connection.query("BEGIN IMMEDIATE", [])
            do {
                let result = try await body(Transaction(connection: connection))
                _ = try await connection.query("COMMIT", [])
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", [])
                throw error
            }
        }
    }

    public func read(_ sql: String, _ binds: [DBValue]) async throws -> [DBRow] {
        let connection = reader
        return try await readLock.withLock { try await SQLiteStore.run(connection, sql, binds) }
    }

    public func close() async {
        let first = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        try? await writer.close()
        try? await reader.close()
    }

    /// `$N` placeholders become `?N`, SQLite's numbered parameters: a `$` not after a
    /// letter. ASCII statements (all of the registrar's) byte by byte (a renewal batch's
    /// multi-row inserts are several KB each); any other by characters.
    static func translate(_ sql: String) -> String {
        var sql = sql
        if let ascii = sql.withUTF8({ bytes -> String? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            return String(unsafeUninitializedCapacity: bytes.count) { out in
                var afterLetter = false
                for (index, byte) in bytes.enumerated() {
                    out[index] = byte == UInt8(ascii: "$") && !afterLetter ? UInt8(ascii: "?") : byte
                    afterLetter = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
                }
                return bytes.count
            }
        }) {
            return ascii
        }
        var out = ""
        out.reserveCapacity(sql.utf8.count)
        var previous: Character = " "
        for character in sql {
            if character == "$", !previous.isLetter { out.append("?") } else { out.append(character) }
            previous = character
        }
        return out
    }

    static func run(_ connection: SQLiteConnection, _ sql: String, _ binds: [DBValue]) async throws -> [DBRow] {
        let data: [SQLiteData] = binds.map {
            switch $0 {
            case .int(let value): return .integer(Int(value))
            case .text(let value): return .text(value)
            case .bytes(let value): return .blob(ByteBuffer(bytes: value))
            case .null: return .null
            }
        }
        let rows = try await connection.query(translate(sql), data)
        // Every row of a statement has the same columns: their names lowercased once.
        let names = rows.first?.columns.map { $0.name.lowercased() } ?? []
        return rows.map { row in
            var values: [String: DBValue] = Dictionary(minimumCapacity: names.count)
            for (name, column) in zip(names, row.columns) {
                switch column.data {
                case .integer(let value): values[name] = .int(Int64(value))
                case .text(let value): values[name] = .text(value)
                case .float(let value): values[name] = .int(Int64(value))
                case .blob(let buffer): values[name] = .bytes(Array(buffer.readableBytesView))
                case .null: values[name] = .null
                }
            }
            return DBRow(values: values)
        }
    }
}
