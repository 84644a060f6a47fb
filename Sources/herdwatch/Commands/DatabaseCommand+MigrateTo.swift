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
                Brings both schemas up to date, then copies every table from one consistent read of the SQLite file \
                (so `serve` may keep running on it). A PostgreSQL database that already holds Herdwatch data is \
                refused unless --replace is given. Prints each table's row count; any failure, or a count that \
                differs, leaves PostgreSQL as it was and exits 2.
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
            let source = try open(database.path)
            let snapshots: DatabasePool
            do {
                var readOnly = GRDB.Configuration()
                readOnly.readonly = true
                readOnly.busyMode = .timeout(5)
                snapshots = try DatabasePool(path: source.path, configuration: readOnly)
            } catch {
                throw fail("cannot read \(source.path): \(error)")
            }
            let target: PostgreSQLDatabase
            do {
                target = try PostgreSQLDatabase(url: url)
            } catch {
                throw fail(error.description)
            }
            let report: SQLiteImport.Report
            do {
                report = try await SQLiteImport(replace: replace).copy(into: target) { body in
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
                "copied \(report.rows) rows in \(report.tables.count) tables from \(source.path) to \(target.displayURL); every table's row count matches"
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
