import ArgumentParser
import Foundation
import GRDB
import PostgresStorage
import Storage

extension DatabaseCommand {
    struct MigrateTo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate-to",
            abstract: "Copy the SQLite database into PostgreSQL, in one transaction, and check every table's row count.",
            discussion: """
                Brings the PostgreSQL schema up to date, then copies every table from one consistent read of the \
                SQLite file, which it never writes (so `serve` may keep running on it; an outdated file is refused: \
                run `herdwatch db migrate` first). A PostgreSQL database that already holds Herdwatch data is \
                refused unless --replace is given. Shows its progress on standard error (each table as it is \
                copied, and every 100,000 rows of a long one), then prints each table's row count; any failure, or \
                a count that differs, leaves PostgreSQL as it was and exits 2.
                """)

        @OptionGroup var database: DatabaseOptions

        @Argument(
            help: ArgumentHelp(
                "The PostgreSQL database, postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=require&schema=NAME].",
                valueName: "url"))
        var url: String

        @Flag(help: "Empty the Herdwatch tables of the PostgreSQL database first, in the same transaction.")
        var replace = false

        func run() async throws {
            guard FileManager.default.fileExists(atPath: database.path) else {
                throw fail("no SQLite database at \(database.path); name it with --db FILE")
            }
            // Read only, never through a connection that writes: the file may be in use by `serve`, whose write
            // transactions a migration (or opening it for writing) would have to wait for.
            let path = database.path
            let snapshots: DatabasePool
            let applied: Set<String>
            do {
                var readOnly = GRDB.Configuration()
                readOnly.readonly = true
                readOnly.busyMode = .timeout(5)
                snapshots = try DatabasePool(path: path, configuration: readOnly)
                applied = try await snapshots.read { db in
                    try String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations")
                }
            } catch {
                throw fail("cannot read the Herdwatch database \(path): \(error)")
            }
            let pending = SQLiteDatabase.knownMigrations.filter { !applied.contains($0) }
            guard pending.isEmpty else {
                throw fail(
                    "\(path) lacks migrations (\(pending.joined(separator: ", "))); bring it up to date with `herdwatch db migrate --db \(path)` first")
            }
            let target: PostgreSQLDatabase
            do {
                target = try PostgreSQLDatabase(url: url)
            } catch {
                throw fail(error.description)
            }
            let report: SQLiteImport.Report
            do {
                // Progress on standard error, so a long copy shows it is moving; the report goes to standard output.
                let progress: @Sendable (SQLiteImport.Progress) -> Void = { step in
                    var standardError = StandardError()
                    print("herdwatch: \(step.table): \(step.rows) rows copied\(step.done ? "" : " so far")", to: &standardError)
                }
                report = try await SQLiteImport(replace: replace, progress: progress).copy(into: target) { body in
                    try snapshots.read { db in try body(SnapshotReader(db: db)) }
                }
            } catch {
                await target.close()
                throw fail("\(error)")
            }
            await target.close()
            var standardError = StandardError()
            for warning in report.warnings { print("herdwatch: warning: \(warning)", to: &standardError) }
            for table in report.tables { print("\(table.name): \(table.rows) rows") }
            print(
                "copied \(report.rows) rows in \(report.tables.count) tables from \(path) to \(target.displayURL); every table's row count matches"
            )
        }
    }
}

/// The SQLite file as the copy reads it, inside one read transaction of GRDB's.
private struct SnapshotReader: SQLiteSnapshotReader {
    let db: Database

    func tables() throws -> [String: [String]] {
        var tables: [String: [String]] = [:]
        for name in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") {
            tables[name] = try db.columns(in: name).map(\.name)
        }
        return tables
    }

    func rowCount(of table: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.quotedDatabaseIdentifier)") ?? 0
    }

    func forEachRow(of table: String, columns: [String], _ body: ([SQLiteValue]) throws -> Void) throws {
        let list = columns.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        let rows = try Row.fetchCursor(db, sql: "SELECT \(list) FROM \(table.quotedDatabaseIdentifier)")
        while let row = try rows.next() {
            try body(
                row.databaseValues.map { value in
                    switch value.storage {
                    case .null: .null
                    case .int64(let integer): .integer(integer)
                    case .double(let real): .real(real)
                    case .string(let text): .text(text)
                    case .blob(let blob): .blob(blob)
                    }
                })
        }
    }
}
