import Logging
import NIOCore
import PostgresNIO

/// The shared store: a PostgreSQL database that several registrars use at once, through a
/// pool of connections. Allocation locks the pool's rows (`SELECT ... FOR UPDATE`) so
/// that two registrars never give one slot to two vpxis; a transaction that fails on a
/// serialization conflict or a deadlock is retried.
public final class PostgresStore: RegistrarDatabase {
    public var dialect: DBDialect { .postgres }
    let client: PostgresClient
    let runner: Task<Void, Never>
    let logger: Logger

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        runner = Task { await client.run() }
    }

    /// The parts of a `postgres://user[:password]@host[:port]/database[?sslmode=disable]` URL.
    struct Location: Equatable {
        var user: String
        var password: String?
        var host: String
        var port: Int
        var database: String
        var tls: Bool
    }

    static func parse(_ url: String) throws(RegistrarError) -> Location {
        let bad = RegistrarError(.malformed, "`\(url)` is not a PostgreSQL URL",
                                 help: "write postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, e.g. postgres://registrar@127.0.0.1:5432/registrar")
        guard let schemeEnd = url.range(of: "://") else { throw bad }
        var rest = String(url[schemeEnd.upperBound...])
        var tls = true
        if let query = rest.firstIndex(of: "?") {
            let parameters = rest[rest.index(after: query)...].split(separator: "&")
            tls = !parameters.contains("sslmode=disable")
            rest = String(rest[..<query])
        }
        guard let at = rest.lastIndex(of: "@"), let slash = rest[at...].firstIndex(of: "/") else { throw bad }
        let credentials = rest[..<at]
        let hostPort = rest[rest.index(after: at)..<slash]
        let database = String(rest[rest.index(after: slash)...])
        let user: String
        var password: String?
        if let colon = credentials.firstIndex(of: ":") {
            user = String(credentials[..<colon])
            password = String(credentials[credentials.index(after: colon)...]).removingPercentEncodingSimple()
        } else {
            user = String(credentials)
        }
        var host = String(hostPort)
        var port = 5432
        if let colon = hostPort.lastIndex(of: ":") {
            guard let parsed = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(parsed) else { throw bad }
            port = parsed
            host = String(hostPort[..<colon])
        }
        guard !user.isEmpty, !host.isEmpty, !database.isEmpty else { throw bad }
        return Location(user: user, password: password, host: host, port: port, database: database, tls: tls)
    }

    public static func open(_ url: String) async throws(RegistrarError) -> PostgresStore {
        let location = try parse(url)
        try await probe(location)
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: location.tls ? .prefer(.makeClientConfiguration()) : .disable)
        configuration.options.maximumConnections = 16
        configuration.options.minimumConnections = 2
        var logger = Logger(label: "registrar.postgres")
        logger.logLevel = .warning
        let store = PostgresStore(client: PostgresClient(configuration: configuration, backgroundLogger: logger), logger: logger)
        // Let the client's run loop start before the first lease.
        await Task.yield()
        try? await Task.sleep(for: .milliseconds(5))
        do {
            _ = try await store.read("SELECT 1 AS one", [])
        } catch {
            await store.close()
            throw RegistrarError(.storage, "cannot connect to PostgreSQL at \(location.host):\(location.port) as `\(location.user)`: \(String(reflecting: error))",
                                 help: "check that the server runs and that the URL's user, password and database are right")
        }
        return store
    }

    /// One connection, opened and closed, before the pool: the pool retries a refused or
    /// failing connection for ever, so a server that is down or a wrong user, password or
    /// database would leave the registrar waiting in silence. This fails within the
    /// connect timeout (10 s) with the server's or the network's own reason.
    static func probe(_ location: Location) async throws(RegistrarError) {
        var logger = Logger(label: "registrar.postgres")
        logger.logLevel = .critical
        do {
            let tls: PostgresConnection.Configuration.TLS = location.tls
                ? .prefer(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
            var configuration = PostgresConnection.Configuration(
                host: location.host, port: location.port, username: location.user, password: location.password,
                database: location.database, tls: tls)
            configuration.options.connectTimeout = .seconds(10)
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try? await connection.close()
        } catch {
            throw RegistrarError(.storage, "cannot connect to PostgreSQL at \(location.host):\(location.port) as `\(location.user)`: \(describe(error))",
                                 help: "check that the server runs and that the URL's user, password and database are right")
        }
    }

    /// The reason of a failed connection, in words: the server's message when it sent
    /// one (authentication, unknown database), else the network's.
    static func describe(_ error: any Error) -> String {
        if let failure = error as? PSQLError {
            if let message = failure.serverInfo?[.message] { return message }
            if let underlying = failure.underlying { return String(describing: underlying) }
            return String(describing: failure.code)
        }
        return String(describing: error)
    }

    struct Transaction: DBTransaction {
        let connection: PostgresConnection
        let logger: Logger
        var dialect: DBDialect { .postgres }

        func query(_ sql: String, _ binds: [DBValue]) async throws -> [DBRow] {
            try await PostgresStore.collect(connection.query(PostgresStore.query(sql, binds), logger: logger))
        }
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any DBTransaction) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let logger = self.logger
                return try await client.withTransaction(logger: logger) { connection in
                    try await body(Transaction(connection: connection, logger: logger))
                }
            } catch {
                guard attempt < 20, Self.isRetryable(error) else {
                    // The closure's own error (a refusal), not its wrapping.
                    if let wrapped = error as? PostgresTransactionError, let inner = wrapped.closureError,
                       wrapped.rollbackError == nil { throw inner }
                    throw error
                }
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 * attempt))))
            }
        }
    }

    /// A serialization failure (40001) or a deadlock (40P01), possibly wrapped in the
    /// transaction error.
    static func isRetryable(_ error: any Error) -> Bool {
        if let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] {
            return state == "40001" || state == "40P01"
        }
        if let error = error as? PostgresTransactionError {
            if let closure = error.closureError, isRetryable(closure) { return true }
            if let commit = error.commitError, isRetryable(commit) { return true }
        }
        return false
    }

    public func read(_ sql: String, _ binds: [DBValue]) async throws -> [DBRow] {
        try await Self.collect(client.query(Self.query(sql, binds), logger: logger))
    }

    public func close() async {
        runner.cancel()
        _ = await runner.value
    }

    static func query(_ sql: String, _ binds: [DBValue]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds {
            switch bind {
            case .int(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            case .bytes(let value): bindings.append(ByteBuffer(bytes: value))
            case .null: bindings.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    static func collect(_ sequence: PostgresRowSequence) async throws -> [DBRow] {
        var rows: [DBRow] = []
        // Every row of a statement has the same columns: their names lowercased once.
        var names: [String] = []
        for try await row in sequence {
            if names.isEmpty { names = row.map { $0.columnName.lowercased() } }
            var values: [String: DBValue] = Dictionary(minimumCapacity: names.count)
            for (index, cell) in row.enumerated() {
                let name = index < names.count ? names[index] : cell.columnName.lowercased()
                guard cell.bytes != nil else {
                    values[name] = .null
                    continue
                }
                switch cell.dataType {
                case .int2, .int4, .int8, .oid:
                    values[name] = .int(try cell.decode(Int64.self))
                case .bool:
                    values[name] = .int(try cell.decode(Bool.self) ? 1 : 0)
                case .bytea:
                    values[name] = .bytes(Array(try cell.decode(ByteBuffer.self).readableBytesView))
                default:
                    values[name] = .text(try cell.decode(String.self))
                }
            }
            rows.append(DBRow(values: values))
        }
        return rows
    }
}

extension String {
    /// `%XX` escapes decoded (for passwords in URLs).
    func removingPercentEncodingSimple() -> String {
        var bytes: [UInt8] = []
        var iterator = Array(utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
               let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
