import ArgumentParser
import Foundation
import Storage

/// Where the database is: `--db`, else `HERDWATCH_DB`, else the default path.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("SQLite database file (default: $HERDWATCH_DB or ~/.local/share/herdwatch/herdwatch.sqlite).", valueName: "path"))
    var db: String?

    var path: String { db ?? SQLiteDatabase.defaultPath }
}

struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Create, check and back up the database.",
        subcommands: [Migrate.self, Check.self, Backup.self, MigrateTo.self]
    )

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create the database or bring its schema up to date.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let opened = try open(database.path)
            let applied = try opened.appliedMigrations()
            print("\(opened.path): schema up to date (\(applied.count) migration(s): \(applied.joined(separator: ", ")))")
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the database file's integrity and schema without changing it.",
            discussion: "Exits 1 when SQLite finds problems or migrations are pending.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            guard FileManager.default.fileExists(atPath: database.path) else {
                throw ValidationError("no database at \(database.path); create it with `herdwatch db migrate --db \(database.path)`")
            }
            let opened = try open(database.path, migrate: false)
            let problems = try opened.integrityProblems()
            let applied = try opened.appliedMigrations()
            let pending = SQLiteDatabase.knownMigrations.filter { !applied.contains($0) }
            for problem in problems { print("integrity: \(problem)") }
            if !pending.isEmpty { print("pending migrations: \(pending.joined(separator: ", ")) (run `herdwatch db migrate`)") }
            if problems.isEmpty, pending.isEmpty {
                print("\(opened.path): ok (\(applied.count) migration(s), integrity check passed)")
            } else {
                throw ExitCode(1)
            }
        }
    }

    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the database to a new file with SQLite's online backup; safe while the server runs.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: ArgumentHelp("The new file to write.", valueName: "path"))
        var destination: String

        func run() throws {
            let opened = try open(database.path, migrate: false)
            do {
                try opened.backup(to: destination)
            } catch {
                throw fail(error.description)
            }
            print("backed up \(opened.path) to \(destination)")
        }
    }
}

/// Opens the database, turning storage errors into a message and exit status 2.
func open(_ path: String, migrate: Bool = true, busyTimeout: TimeInterval = 5) throws -> SQLiteDatabase {
    do {
        return try SQLiteDatabase(path: path, migrate: migrate, busyTimeout: busyTimeout)
    } catch {
        throw fail(error.description)
    }
}

/// Prints `herdwatch: MESSAGE` to standard error; the returned exit status 2 is for the caller to throw.
func fail(_ message: String) -> ExitCode {
    var standardError = StandardError()
    print("herdwatch: \(message)", to: &standardError)
    return ExitCode(2)
}
