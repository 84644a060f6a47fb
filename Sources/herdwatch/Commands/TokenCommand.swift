import Access
import ArgumentParser
import Foundation
import Storage

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke API tokens (works on the database file; no server needed).",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new bearer token.",
            discussion: """
                Scopes: check (POST /api/v1/check), moderate (the case API), admin (everything).
                The token is printed once; only its SHA-256 is stored.
                Example:
                  herdwatch token create --scope check --name mastodon-hook
                """)
        @OptionGroup var database: DatabaseOptions

        @Option(help: "What the token may do: check, moderate or admin. Repeat for several.")
        var scope: [String] = []

        @Option(help: "A name to recognise the token by in `herdwatch token list`.")
        var name: String?

        func validate() throws {
            if scope.isEmpty { throw ValidationError("say what the token may do with --scope check, moderate or admin") }
            for name in scope where AccessScope(rawValue: name) == nil {
                throw ValidationError("--scope \(name) is not a scope; use check, moderate or admin")
            }
        }

        func run() async throws {
            let access = AccessControl(store: SQLiteAccessStore(database: try open(database.path)))
            do {
                let scopes = Set(scope.compactMap(AccessScope.init(rawValue:)))
                let names = scopes.map(\.rawValue).sorted().joined(separator: "+")
                let (token, secret) = try await access.issueToken(name: name ?? names, scopes: scopes)
                print(secret)
                var standardError = StandardError()
                print("token \(token.id) (\(token.name), scope \(names)) created in \(database.path)", to: &standardError)
            } catch {
                throw fail("cannot create the token: \(error)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let store = SQLiteAccessStore(database: try open(database.path))
            let tokens: [AccessToken]
            do {
                tokens = try await store.tokens()
            } catch {
                throw fail("cannot read tokens: \(error)")
            }
            if tokens.isEmpty { print("no tokens; create one with `herdwatch token create --scope check`") }
            let formatter = ISO8601DateFormatter()
            for token in tokens {
                let scopes = token.scopes.map(\.rawValue).sorted().joined(separator: ",")
                let state = token.revokedAt.map { "revoked \(formatter.string(from: $0))" } ?? "active"
                print("\(token.id)\t\(token.name)\t\(scopes)\tcreated \(formatter.string(from: token.createdAt))\t\(state)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token by its id (from `herdwatch token list`); a running server notices within 30 s.")
        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The token's id.")
        var id: Int64

        func run() async throws {
            let store = SQLiteAccessStore(database: try open(database.path))
            do {
                guard try await store.revokeToken(id: id, at: Date()) else { throw fail("there is no token \(id)") }
                print("token \(id) revoked")
            } catch let error as ExitCode {
                throw error
            } catch {
                throw fail("cannot revoke the token: \(error)")
            }
        }
    }
}
