public import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// One value as SQLite stores it.
public enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

/// A SQLite database read inside one read transaction, so that every table comes from the same snapshot while
/// a server goes on writing the file. Called on a thread that may block.
public protocol SQLiteSnapshotReader {
    /// Every table's name with its columns, in order (SQLite's and GRDB's own tables included: the copy skips them).
    func tables() throws -> [String: [String]]
    /// How many rows `table` has.
    func rowCount(of table: String) throws -> Int
    /// Calls `body` with each row of `table`: the values of `columns`, in that order.
    func forEachRow(of table: String, columns: [String], _ body: ([SQLiteValue]) throws -> Void) throws
}

/// Why a copy from SQLite was refused or failed. Messages name tables, columns and row numbers, never values.
public struct SQLiteImportError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The PostgreSQL database already holds Herdwatch data and replacing it was not asked for.
        case notEmpty
        /// A table's columns differ in a way the copy cannot bridge.
        case schemaMismatch
        /// A SQLite value does not fit its PostgreSQL column.
        case unconvertibleValue
        /// The SQLite file could not be read.
        case cannotRead
        /// After the copy, a table's row count differs from SQLite's.
        case countMismatch
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// Copies a SQLite database into PostgreSQL table by table: the PostgreSQL tables mirror the SQLite ones (same
/// names, columns and stored forms), so each row is copied as it is, converted by the PostgreSQL column's type.
///
/// Everything happens in one PostgreSQL transaction: the copy, the sequences moved past the copied ids, and a
/// check that every table holds as many rows as SQLite's; any failure leaves the database as it was. User
/// triggers (the append-only audit log, the blocklist change log) are off during the copy, so it is exact.
public struct SQLiteImport: Sendable {
    /// Empty the Herdwatch tables first (in the same transaction) instead of refusing a database that holds data.
    public var replace: Bool
    /// Told how far the copy is: after each table, and every ``progressEvery`` rows of a long one.
    public var progress: (@Sendable (Progress) -> Void)?

    /// How far the copy is: `rows` of `table` copied, and whether that table is done.
    public struct Progress: Sendable, Equatable {
        public var table: String
        public var rows: Int
        public var done: Bool
    }

    /// Rows between two progress reports within a table.
    static let progressEvery = 100_000

    public init(replace: Bool = false, progress: (@Sendable (Progress) -> Void)? = nil) {
        self.replace = replace
        self.progress = progress
    }

    /// What was copied: each table with SQLite's row count (equal to PostgreSQL's), and the SQLite tables left behind.
    public struct Report: Sendable {
        public struct Table: Sendable, Equatable {
            public var name: String
            public var rows: Int
        }

        public var tables: [Table]
        public var warnings: [String]
        public var rows: Int { tables.reduce(0) { $0 + $1.rows } }
    }

    // What to copy, in one place.

    /// SQLite tables that are the database's own bookkeeping.
    static func isSQLiteBookkeeping(_ table: String) -> Bool {
        table.hasPrefix("sqlite_") || table == "grdb_migrations"
    }

    /// PostgreSQL tables that are not copied nor emptied: the migrations applied, and `blocklist_version`, whose
    /// one row is set after the copy (``blocklistVersion``).
    static let postgresBookkeeping: Set<String> = ["herdwatch_migration", "blocklist_version"]

    /// SQLite tables PostgreSQL does without, and why: reported, not copied.
    static let notNeeded: [String: String] = [
        "blocklist_subscription_version":
            "not needed on PostgreSQL, where nodes notice blocklist changes through blocklist_version"
    ]

    /// `blocklist_version` draws the blocklist change log's sequence numbers on PostgreSQL (SQLite numbers them
    /// itself): it must stand at the copied log's last `seq`, or the next change would reuse one.
    static let blocklistVersion = """
        UPDATE blocklist_version
        SET value = GREATEST(value, (SELECT COALESCE(MAX(seq), 0) FROM domain_block_change))
        WHERE id = 1
        """

    /// The PostgreSQL column types a SQLite value can be copied into.
    static let knownTypes: Set<String> = ["boolean", "smallint", "integer", "bigint", "double precision", "text", "bytea"]

    /// At most this many rows in one INSERT (PostgreSQL takes at most 65,535 parameters a statement).
    static let rowsPerBatch = 1000
    /// And about this many bytes of values.
    static let bytesPerBatch = 4 << 20

    struct Column: Sendable {
        var name: String
        var type: String
        var hasDefault: Bool
        var isSerial: Bool
    }

    /// Copies what `read` reads into `database`, after migrating its schema.
    ///
    /// - Parameter read: opens one read transaction on the SQLite file and calls its argument with a reader of
    ///   it; it runs on a thread of its own, which waits for PostgreSQL while it reads.
    public func copy(
        into database: PostgreSQLDatabase,
        reading read: @escaping @Sendable (_ body: (any SQLiteSnapshotReader) throws -> Void) throws -> Void
    ) async throws -> Report {
        try await database.migrate()
        do {
            return try await database.client.withTransaction(logger: database.logger) { connection in
                try await copy(into: database, on: connection, reading: read)
            }
        } catch let error as PostgresTransactionError {
            if let cause = error.closureError as? SQLiteImportError { throw cause }
            throw PostgreSQLDatabase.storeError(error, doing: "copy into")
        } catch let error as SQLiteImportError {
            throw error
        } catch {
            throw PostgreSQLDatabase.storeError(error, doing: "copy into")
        }
    }

    private func copy(
        into database: PostgreSQLDatabase, on connection: PostgresConnection,
        reading read: @escaping @Sendable (_ body: (any SQLiteSnapshotReader) throws -> Void) throws -> Void
    ) async throws -> Report {
        let logger = database.logger
        let (columns, order) = try await Self.targetTables(in: database, on: connection)

        var holding: [String] = []
        for table in order {
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT 1 FROM \(Self.quoted(table)))"), logger: logger)
            for try await exists in rows.decode(Bool.self) where exists { holding.append(table) }
        }
        if !holding.isEmpty {
            guard replace else {
                throw SQLiteImportError(
                    code: .notEmpty,
                    message:
                        "\(database.displayURL) already holds Herdwatch data (in \(holding.joined(separator: ", "))); copy into an empty database or schema, or replace what it holds with --replace")
            }
            let tables = order.map(Self.quoted).joined(separator: ", ")
            try await connection.query(PostgresQuery(unsafeSQL: "TRUNCATE \(tables) RESTART IDENTITY"), logger: logger)
        }
        for table in order {
            try await connection.query(
                PostgresQuery(unsafeSQL: "ALTER TABLE \(Self.quoted(table)) DISABLE TRIGGER USER"), logger: logger)
        }

        let outcome = Mutex<Report?>(nil)
        try await Self.onOwnThread {
            do {
                try read { reader in
                    let report = try Self.copyRows(
                        from: reader, columns: columns, order: order, into: database, on: connection, progress: progress)
                    outcome.withLock { $0 = report }
                }
            } catch let error as SQLiteImportError {
                throw error
            } catch let error as PostgresStoreError {
                throw error
            } catch {
                throw SQLiteImportError(code: .cannotRead, message: "cannot read the SQLite database: \(error)")
            }
        }
        guard let report = outcome.withLock({ $0 }) else {
            throw SQLiteImportError(code: .cannotRead, message: "the SQLite database was not read; nothing was copied")
        }

        for table in order {
            try await connection.query(
                PostgresQuery(unsafeSQL: "ALTER TABLE \(Self.quoted(table)) ENABLE TRIGGER USER"), logger: logger)
            for column in columns[table] ?? [] where column.isSerial {
                let sequenceOf = "\(database.schema).\(table)"
                try await connection.query(
                    """
                    SELECT setval(pg_get_serial_sequence(\(sequenceOf), \(column.name)),
                        (SELECT COALESCE(MAX(\(unescaped: Self.quoted(column.name))), 0) + 1 FROM \(unescaped: Self.quoted(table))),
                        false)
                    """, logger: logger)
            }
        }
        if columns["blocklist_version"] != nil, columns["domain_block_change"] != nil {
            try await connection.query(PostgresQuery(unsafeSQL: Self.blocklistVersion), logger: logger)
        }
        for table in report.tables {
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(Self.quoted(table.name))"), logger: logger)
            for try await count in rows.decode(Int.self) where count != table.rows {
                throw SQLiteImportError(
                    code: .countMismatch,
                    message:
                        "table \(table.name): SQLite has \(table.rows) rows but PostgreSQL has \(count) after the copy; nothing was copied (the transaction was rolled back)")
            }
        }
        return report
    }

    /// Every Herdwatch table of the schema with its columns, and the order to fill them in: a table after the
    /// tables its foreign keys point to.
    private static func targetTables(in database: PostgreSQLDatabase, on connection: PostgresConnection)
        async throws -> (columns: [String: [Column]], order: [String])
    {
        let logger = database.logger
        var columns: [String: [Column]] = [:]
        let rows = try await connection.query(
            """
            SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.column_default::text
            FROM information_schema.columns AS c
            JOIN information_schema.tables AS t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema::text = \(database.schema) AND t.table_type = 'BASE TABLE'
            ORDER BY c.table_name, c.ordinal_position
            """, logger: logger)
        for try await (table, name, type, defaultValue) in rows.decode((String, String, String, String?).self) {
            guard PostgreSQLDatabase.isIdentifier(table), PostgreSQLDatabase.isIdentifier(name) else {
                throw SQLiteImportError(
                    code: .schemaMismatch,
                    message:
                        "PostgreSQL table \(table), column \(name): not a name Herdwatch makes (a-z, 0-9 and _); is \(database.schema) the schema of a Herdwatch database?")
            }
            columns[table, default: []].append(
                Column(
                    name: name, type: type, hasDefault: defaultValue != nil,
                    isSerial: defaultValue?.hasPrefix("nextval(") == true))
        }
        var parents: [String: Set<String>] = [:]
        let references = try await connection.query(
            """
            SELECT child.relname::text, parent.relname::text
            FROM pg_constraint AS c
            JOIN pg_class AS child ON child.oid = c.conrelid
            JOIN pg_class AS parent ON parent.oid = c.confrelid
            JOIN pg_namespace AS n ON n.oid = child.relnamespace
            WHERE c.contype = 'f' AND n.nspname::text = \(database.schema)
            """, logger: logger)
        for try await (child, parent) in references.decode((String, String).self) where child != parent {
            parents[child, default: []].insert(parent)
        }
        var order: [String] = []
        var left = columns.keys.filter { !postgresBookkeeping.contains($0) }.sorted()
        while !left.isEmpty {
            let ready = left.filter { parents[$0, default: []].isSubset(of: order) }
            let next = ready.isEmpty ? left : ready
            order += next
            left.removeAll { next.contains($0) }
        }
        return (columns, order)
    }

    /// Copies every table both databases have, reading SQLite on this thread and waiting for each batch's INSERT.
    private static func copyRows(
        from reader: any SQLiteSnapshotReader, columns: [String: [Column]], order: [String],
        into database: PostgreSQLDatabase, on connection: PostgresConnection,
        progress: (@Sendable (Progress) -> Void)?
    ) throws -> Report {
        let sourceTables = try reader.tables()
        var warnings: [String] = []
        for table in sourceTables.keys.sorted() where !isSQLiteBookkeeping(table) && columns[table] == nil {
            warnings.append(
                "SQLite table \(table) not copied: "
                    + (notNeeded[table] ?? "PostgreSQL has no such table (is this Herdwatch older than the file?)"))
        }
        var copied: [Report.Table] = []
        for table in order {
            guard let source = sourceTables[table], let target = columns[table] else { continue }
            if let lost = source.first(where: { name in !target.contains { $0.name == name } }) {
                throw SQLiteImportError(
                    code: .schemaMismatch,
                    message:
                        "SQLite table \(table) has a column \(lost) that PostgreSQL's \(table) lacks, so its values would be lost; use a Herdwatch that knows it, or migrate both databases with the same version")
            }
            if let missing = target.first(where: { !$0.hasDefault && !source.contains($0.name) }) {
                throw SQLiteImportError(
                    code: .schemaMismatch,
                    message:
                        "PostgreSQL table \(table) has a column \(missing.name) without a default that SQLite's \(table) lacks; bring the SQLite file up to date with `herdwatch db migrate` first")
            }
            let filled = target.filter { source.contains($0.name) }
            if let unknown = filled.first(where: { !knownTypes.contains($0.type) }) {
                throw SQLiteImportError(
                    code: .schemaMismatch,
                    message:
                        "PostgreSQL table \(table), column \(unknown.name) is of type \(unknown.type), which a SQLite value cannot be copied into")
            }
            var batch = InsertBatch(table: table, columns: filled)
            var row = 0
            try reader.forEachRow(of: table, columns: filled.map(\.name)) { values in
                row += 1
                try batch.append(values, row: row)
                if batch.isFull { try batch.flush(into: database, on: connection) }
                if row % progressEvery == 0 { progress?(Progress(table: table, rows: row, done: false)) }
            }
            try batch.flush(into: database, on: connection)
            copied.append(Report.Table(name: table, rows: try reader.rowCount(of: table)))
            progress?(Progress(table: table, rows: row, done: true))
        }
        return Report(tables: copied, warnings: warnings)
    }

    /// Rows of one table waiting to be inserted with one multi-row INSERT.
    private struct InsertBatch {
        let table: String
        let columns: [Column]
        private(set) var binds = PostgresBindings()
        private var rows = 0
        private var bytes = 0

        init(table: String, columns: [Column]) {
            self.table = table
            self.columns = columns
        }

        var isFull: Bool {
            rows >= SQLiteImport.rowsPerBatch || bytes >= SQLiteImport.bytesPerBatch
                || (rows + 1) * columns.count > Int(UInt16.max)
        }

        mutating func append(_ values: [SQLiteValue], row: Int) throws(SQLiteImportError) {
            for (column, value) in zip(columns, values) {
                guard let size = SQLiteImport.bind(value, as: column.type, into: &binds) else {
                    throw SQLiteImportError(
                        code: .unconvertibleValue,
                        message:
                            "SQLite table \(table), column \(column.name), row \(row): \(SQLiteImport.kind(of: value, for: column.type)) cannot go into PostgreSQL's \(column.type) column; correct that row in the SQLite file, then run again (nothing was copied)")
                }
                bytes += size
            }
            rows += 1
        }

        /// Inserts the rows gathered, waiting for PostgreSQL (this thread may block), and starts a new batch.
        mutating func flush(into database: PostgreSQLDatabase, on connection: PostgresConnection) throws {
            guard rows > 0 else { return }
            let width = columns.count
            var sql = "INSERT INTO \(SQLiteImport.quoted(table)) ("
            sql += columns.map { SQLiteImport.quoted($0.name) }.joined(separator: ", ")
            sql += ") VALUES "
            sql += (0..<rows).map { row in
                "(" + (1...width).map { "$\(row * width + $0)" }.joined(separator: ", ") + ")"
            }.joined(separator: ", ")
            let query = PostgresQuery(unsafeSQL: sql, binds: binds)
            let logger = database.logger
            let table = table
            do {
                try database.blocking { _ = try await connection.query(query, logger: logger) }
            } catch {
                throw PostgreSQLDatabase.storeError(error, doing: "copy table \(table) into")
            }
            binds = PostgresBindings()
            rows = 0
            bytes = 0
        }
    }

    /// Binds `value` converted for a PostgreSQL column of `type`; its size in bytes, or nil when it does not fit.
    static func bind(_ value: SQLiteValue, as type: String, into binds: inout PostgresBindings) -> Int? {
        switch (value, type) {
        case (.null, _):
            binds.appendNull()
            return 0
        case (.integer(let integer), "boolean") where integer == 0 || integer == 1:
            binds.append(integer == 1)
        case (.integer(let integer), "smallint"):
            guard let small = Int16(exactly: integer) else { return nil }
            binds.append(small)
        case (.integer(let integer), "integer"):
            guard let small = Int32(exactly: integer) else { return nil }
            binds.append(small)
        case (.integer(let integer), "bigint"):
            binds.append(integer)
        case (.integer(let integer), "double precision"):
            binds.append(Double(integer))
        case (.real(let real), "double precision"):
            binds.append(real)
        case (.text(let text), "text"):
            binds.append(text)
            return text.utf8.count
        case (.blob(let blob), "bytea"):
            binds.append(ByteBuffer(bytes: blob))
            return blob.count
        case (.text(let text), "bytea"):
            binds.append(ByteBuffer(string: text))
            return text.utf8.count
        default:
            return nil
        }
        return 8
    }

    /// How a message names a value's kind (never the value).
    static func kind(of value: SQLiteValue, for type: String) -> String {
        switch value {
        case .null: "NULL"
        case .integer where type == "boolean": "an integer other than 0 or 1"
        case .integer where type == "smallint" || type == "integer": "an integer out of its range"
        case .integer: "an integer"
        case .real: "a real number"
        case .text: "a text value"
        case .blob: "a blob"
        }
    }

    /// A name checked by ``PostgreSQLDatabase/isIdentifier(_:)``, quoted for SQL text.
    static func quoted(_ name: String) -> String {
        "\"\(name)\""
    }

    /// Runs `work` on a thread of its own, which may block, and waits for it without blocking the caller.
    private static func onOwnThread(_ work: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                do {
                    try work()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "herdwatch.sqlite-import"
            thread.start()
        }
    }
}
