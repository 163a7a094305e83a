/// Multi-row statements: one `INSERT ... VALUES (...), (...), ...` for many rows, so that
/// recording an epoch prepares and runs one statement per table instead of one per row.
/// SQLite and PostgreSQL read the same text (`$N` placeholders; `excluded.COLUMN` in an
/// upsert's `DO UPDATE`).
extension DBTransaction {
    /// At most this many values are bound to one statement (SQLite's historical limit is
    /// 999); larger batches are split into several statements, in order.
    static var maximumBinds: Int { 900 }

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

    /// `INSERT INTO table (c1, c2) VALUES ($1, $2), ($3, $4) conflict`.
    static func insertStatement(table: String, columns: [String], rows: Int, conflict: String) -> String {
        var sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        var placeholder = 1
        for row in 0..<rows {
            sql += row == 0 ? "(" : ", ("
            for column in columns.indices {
                sql += column == 0 ? "$\(placeholder)" : ", $\(placeholder)"
                placeholder += 1
            }
            sql += ")"
        }
        return conflict.isEmpty ? sql : sql + " " + conflict
    }
}
