/// Multi-row statements: one `INSERT ... VALUES (...), (...), ...` for many rows, so that
/// recording an epoch prepares and runs one statement per table instead of one per row.
/// SQLite and PostgreSQL read the same text (`$N` placeholders; `excluded.COLUMN` in an
/// upsert's `DO UPDATE`).
extension DBTransaction {
    /// At most this many values are bound to one statement; larger batches are split into
    /// several statements, in order. Both engines take far more than a renewal batch binds
    /// (16 vpxis: about 2,000 values for the certs), so a table is one statement a batch:
    /// SQLite's limit is 32,766 since 3.32 (the SQLite built here, SQLite-NIO's: 250,000),
    /// PostgreSQL's 65,535 (the protocol counts the values in 16 bits). It was 900
    /// (SQLite's limit of 999 before 3.32), which split a batch's certs into three
    /// statements, each prepared and journalled on its own.
    static var maximumBinds: Int { 30_000 }

    /// Inserts `rows` (each one value per column, in `columns`' order) into `table`, with
    /// `conflict` (e.g. `ON CONFLICT (a, b) DO NOTHING`) after the values.
    func insert(into table: String, columns: [String], rows: [[DBValue]], conflict: String = "") async throws {
        guard !rows.isEmpty else { return }
        let width = columns.count
        precondition(width > 0 && rows.allSatisfy { $0.count == width }, "every row has one value per column")
        let perStatement = max(1, Self.maximumBinds / width)
        var start = 0
        while start < rows.count {
            let batch = rows[start..<min(rows.count, start + perStatement)]
            try await query(Self.insertStatement(table: table, columns: columns, rows: batch.count, conflict: conflict), Array(batch.joined()))
            start += batch.count
        }
    }

    /// `INSERT INTO table (c1, c2) VALUES ($1, $2), ($3, $4) conflict`, written as bytes (a
    /// batch's statements hold a few thousand placeholders; string interpolation per
    /// placeholder was 0.2% of a renewal pass).
    static func insertStatement(table: String, columns: [String], rows: Int, conflict: String) -> String {
        var sql: [UInt8] = []
        sql.reserveCapacity(64 + table.utf8.count + conflict.utf8.count + columns.reduce(0) { $0 + $1.utf8.count + 2 } + rows * columns.count * 8)
        sql.append(contentsOf: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES ".utf8)
        var placeholder = 1
        var digits: [UInt8] = []
        for row in 0..<rows {
            if row > 0 { sql.append(contentsOf: ", ".utf8) }
            sql.append(UInt8(ascii: "("))
            for column in columns.indices {
                if column > 0 { sql.append(contentsOf: ", ".utf8) }
                sql.append(UInt8(ascii: "$"))
                // The decimal digits of `placeholder`, most significant first.
                digits.removeAll(keepingCapacity: true)
                var value = placeholder
                repeat {
                    digits.append(UInt8(ascii: "0") + UInt8(value % 10))
                    value /= 10
                } while value > 0
                sql.append(contentsOf: digits.reversed())
                placeholder += 1
            }
            sql.append(UInt8(ascii: ")"))
        }
        if !conflict.isEmpty {
            sql.append(UInt8(ascii: " "))
            sql.append(contentsOf: conflict.utf8)
        }
        return String(decoding: sql, as: UTF8.self)
    }
}
