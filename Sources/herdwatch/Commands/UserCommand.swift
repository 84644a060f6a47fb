import Access
import ArgumentParser
import Foundation
import Storage

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract:
            "Add, list, disable and change the people who sign in (works on the database file; no server needed).",
        discussion: """
            Roles: \(Roles.list). A running server notices a disabled user or a changed role within 30 s
            (its token cache); their tokens then stop working or act with the new role.
            Examples:
              herdwatch user add alice --role moderator --db herdwatch.sqlite
              printf '%s\\n' "$PASSWORD" | herdwatch user add bob --role contractor --password-stdin
              herdwatch user disable bob
            """,
        subcommands: [Add.self, List.self, Disable.self, Enable.self, Role.self, Password.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user. Without --password-stdin, prints a generated password once, on the last line.")
        @OptionGroup var database: StoreOptions

        @Argument(help: "The username: 1 to 64 letters, digits, '.', '_' or '-'.")
        var name: String

        @Option(help: "What the user may do: \(Roles.list).")
        var role: String

        @Flag(help: "Read the password from the first line of standard input.")
        var passwordStdin = false

        func validate() throws {
            try Usernames.validate(name)
            _ = try Roles.parse(role)
        }

        func run() async throws {
            let access = AccessControl(store: try await database.accessStore())
            let password = passwordStdin ? Passwords.readStandardInput() : PasswordHash.generatePassword()
            let account: Account
            do {
                account = try await access.createAccount(
                    username: name, role: try Roles.parse(role), password: password)
            } catch let error as AccountExistsError {
                throw fail("\(error.description) (see `herdwatch user list`)")
            } catch let error as AccessError {
                throw fail(error.message)
            } catch {
                throw fail("cannot add the user: \(error)")
            }
            print("user \(account.username) (\(account.role.rawValue)) added to \(database.label)")
            if !passwordStdin {
                print("password, shown once:")
                print(password)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List users: id, name, role, state, created (never passwords).")
        @OptionGroup var database: StoreOptions

        func run() async throws {
            let store = try await database.accessStore()
            let accounts: [Account]
            do {
                accounts = try await store.accounts()
            } catch {
                throw fail("cannot read users: \(error)")
            }
            if accounts.isEmpty { print("no users; add one with `herdwatch user add NAME --role ROLE`") }
            let formatter = ISO8601DateFormatter()
            for account in accounts {
                let state = account.disabledAt.map { "disabled \(formatter.string(from: $0))" } ?? "active"
                print(
                    "\(account.id)\t\(account.username)\t\(account.role.rawValue)\t\(state)\tcreated \(formatter.string(from: account.createdAt))"
                )
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Disable a user: they cannot sign in, and their tokens stop working (a running server notices within 30 s)."
        )
        @OptionGroup var database: StoreOptions

        @Argument(help: "The username.")
        var name: String

        func run() async throws {
            try await change(name, in: database) { access, account in
                try await access.disable(account)
                let tokens = try await access.store.tokens(accountID: account.id).filter { $0.revokedAt == nil }.count
                return
                    "user \(account.username) disabled; their \(tokens) token(s) stop working (a running server notices within 30 s)"
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled user again, with their tokens.")
        @OptionGroup var database: StoreOptions

        @Argument(help: "The username.")
        var name: String

        func run() async throws {
            try await change(name, in: database) { access, account in
                try await access.enable(account)
                return "user \(account.username) enabled"
            }
        }
    }

    struct Role: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a user's role; their tokens act with it too (a running server notices within 30 s).")
        @OptionGroup var database: StoreOptions

        @Argument(help: "The username.")
        var name: String

        @Argument(help: "The new role: \(Roles.list).")
        var role: String

        func validate() throws {
            _ = try Roles.parse(role)
        }

        func run() async throws {
            let role = try Roles.parse(role)
            try await change(name, in: database) { access, account in
                try await access.setRole(role, for: account)
                return "user \(account.username) is now \(role.rawValue) (was \(account.role.rawValue))"
            }
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password. Without --password-stdin, prints a generated one once, on the last line.")
        @OptionGroup var database: StoreOptions

        @Argument(help: "The username.")
        var name: String

        @Flag(help: "Read the password from the first line of standard input.")
        var passwordStdin = false

        func run() async throws {
            let password = passwordStdin ? Passwords.readStandardInput() : PasswordHash.generatePassword()
            let generated = !passwordStdin
            try await change(name, in: database) { access, account in
                try await access.setPassword(password, for: account)
                return "password of \(account.username) changed"
                    + (generated ? "; the new one, shown once:\n\(password)" : "")
            }
        }
    }
}

/// Finds the user `name`, applies `body` and prints what it returns; unknown users and refused changes exit 2.
private func change(
    _ name: String, in database: StoreOptions, _ body: (AccessControl, Account) async throws -> String
) async throws {
    let access = AccessControl(store: try await database.accessStore())
    do {
        guard let account = try await access.store.account(username: name) else {
            throw AccessError.unknownAccount(username: name)
        }
        print(try await body(access, account))
    } catch let error as AccessError {
        throw fail(error.message)
    } catch {
        throw fail("cannot change user \(name): \(error)")
    }
}

enum Roles {
    static let list = Account.Role.allCases.map(\.rawValue).joined(separator: ", ")

    static func parse(_ text: String) throws -> Account.Role {
        guard let role = Account.Role(rawValue: text) else {
            throw ValidationError("\(text) is not a role; use one of \(list)")
        }
        return role
    }
}

enum Usernames {
    static func validate(_ name: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard (1...64).contains(name.count), name.allSatisfy(allowed.contains) else {
            throw ValidationError(
                "\(name.debugDescription) is not a username; use 1 to 64 letters, digits, '.', '_' or '-'")
        }
    }
}

enum Passwords {
    /// The first line of standard input without its line end; empty when there is none (refused as empty later).
    static func readStandardInput() -> String {
        readLine(strippingNewline: true).map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 } ?? ""
    }
}
