import Access
import ArgumentParser
import Foundation
import Storage

/// Every scope a token can have, as `--scope` takes them.
private let scopeNames = AccessScope.allCases.map(\.rawValue).joined(separator: ", ")

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
                Scopes: check (POST /api/v1/check), moderate (the case API), admin (everything), and Mastodon's
                admin:read, admin:write, admin:read:domain_blocks, admin:write:domain_blocks (the domain-block admin
                API, for FediBlockHole and Mastodon.py).
                With --user the token acts as that user: it may do what both the user's role and its scopes
                allow, and stops working when the user is disabled.
                The token is printed once; only its SHA-256 is stored.
                Examples:
                  herdwatch token create --scope check --name mastodon-hook
                  herdwatch token create --scope moderate --user alice --name alice-script
                  herdwatch token create --scope admin:read --scope admin:write --name fediblockhole
                """)
        @OptionGroup var database: StoreOptions

        @Option(help: "What the token may do: \(scopeNames). Repeat for several.")
        var scope: [String] = []

        @Option(help: "A name to recognise the token by in `herdwatch token list`.")
        var name: String?

        @Option(help: "The user the token acts as (see `herdwatch user list`).")
        var user: String?

        func validate() throws {
            if scope.isEmpty { throw ValidationError("say what the token may do with --scope (\(scopeNames))") }
            for name in scope where AccessScope(rawValue: name) == nil {
                throw ValidationError("--scope \(name) is not a scope; use \(scopeNames)")
            }
        }

        func run() async throws {
            let access = AccessControl(store: try await database.accessStore())
            do {
                let scopes = Set(scope.compactMap(AccessScope.init(rawValue:)))
                let names = scopes.map(\.rawValue).sorted().joined(separator: "+")
                var account: Account?
                if let user {
                    guard let found = try await access.store.account(username: user) else { throw AccessError.unknownAccount(username: user) }
                    guard found.disabledAt == nil else {
                        throw fail("user \(user) is disabled, so a token for them would not work; enable them first with `herdwatch user enable \(user)`")
                    }
                    account = found
                }
                let (token, secret) = try await access.issueToken(name: name ?? names, scopes: scopes, for: account)
                print(secret)
                var standardError = StandardError()
                let owner = account.map { ", acting as \($0.username) (\($0.role.rawValue))" } ?? ""
                print("token \(token.id) (\(token.name), scope \(names)\(owner)) created in \(database.label)", to: &standardError)
            } catch let error as ExitCode {
                throw error
            } catch let error as AccessError {
                throw fail(error.message)
            } catch {
                throw fail("cannot create the token: \(error)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var database: StoreOptions

        func run() async throws {
            let store = try await database.accessStore()
            let tokens: [AccessToken]
            let usernames: [Int64: String]
            do {
                tokens = try await store.tokens()
                usernames = Dictionary(uniqueKeysWithValues: try await store.accounts().map { ($0.id, $0.username) })
            } catch {
                throw fail("cannot read tokens: \(error)")
            }
            if tokens.isEmpty { print("no tokens; create one with `herdwatch token create --scope check`") }
            let formatter = ISO8601DateFormatter()
            for token in tokens {
                let scopes = token.scopes.map(\.rawValue).sorted().joined(separator: ",")
                let state = token.revokedAt.map { "revoked \(formatter.string(from: $0))" } ?? "active"
                let user = token.accountID.map { id in usernames[id].map { "\tuser \($0)" } ?? "\tuser #\(id)" } ?? ""
                print("\(token.id)\t\(token.name)\t\(scopes)\tcreated \(formatter.string(from: token.createdAt))\t\(state)\(user)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token by its id (from `herdwatch token list`); a running server notices within 30 s.")
        @OptionGroup var database: StoreOptions

        @Argument(help: "The token's id.")
        var id: Int64

        func run() async throws {
            let store = try await database.accessStore()
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
