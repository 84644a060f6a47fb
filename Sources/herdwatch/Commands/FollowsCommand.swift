import ArgumentParser
import Foundation
import PostgresStorage
import Reputation
import Storage

/// The instance's own domains for the follow graph (`--local-domain`, the `instance.domains` key of `serve`).
struct LocalDomainOptions: ParsableArguments {
    @Option(
        name: .customLong("local-domain"),
        help: ArgumentHelp(
            "A host of this instance, as its actor ids carry it (repeatable): actors there are local users, for the follow-graph signals.",
            valueName: "host"))
    var localDomains: [String] = []

    func validate() throws {
        for domain in localDomains where LocalFollows.normalizedDomain(domain) == nil {
            throw ValidationError(
                "--local-domain \(domain) is not a host name; give the host of the instance's actor ids, like social.example"
            )
        }
    }

    /// The follow graph over `store`, or nil (with a note on standard error, once) when no local domain is given.
    func follows(store: @autoclosure () throws -> any FollowStore, quiet: Bool = false) throws -> LocalFollows? {
        guard !localDomains.isEmpty else {
            if !quiet {
                var standardError = StandardError()
                print(
                    "herdwatch: no --local-domain given: the follow-graph signals (actor.followed_by_local, mentions.local, …) are 0 and no follows are learned",
                    to: &standardError)
            }
            return nil
        }
        do {
            let follows = try LocalFollows(store: try store(), localDomains: localDomains)
            if follows.loadedEdges < follows.storedEdges {
                var standardError = StandardError()
                print(
                    "herdwatch: the follow graph holds \(follows.storedEdges) edges; only the newest \(follows.loadedEdges) are used",
                    to: &standardError)
            }
            return follows
        } catch {
            throw fail("follow graph: \(error)")
        }
    }
}

struct FollowsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follows",
        abstract: "The local follow graph behind actor.followed_by_local and the other follow signals.",
        subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import whom a local user follows from Mastodon's export (following_accounts.csv).",
            discussion: """
                Reads the CSV Mastodon exports under Preferences → Import and export → Follows
                (header `Account address,Show boosts,Notify on new posts,Languages`, one
                `user@domain` per row) and records that the local user follows each account.
                An account matches deliveries whose actor id is https://domain/users/user (or
                /@user, /u/user, /profile/user, /accounts/user): the form Mastodon, GoToSocial,
                Pleroma, Akkoma, Pixelfed, Lemmy and Friendica use. Actors whose ids carry an
                opaque id (Misskey, Mastodon's numeric /ap/users/…), or whose handle domain is
                not their ids' host, do not match; follows learned from traffic still count for them.
                Every row is checked first: bad rows are listed with their line numbers and
                nothing is imported. A running server reads the graph at start: restart it to
                see imported follows.
                Example: herdwatch follows import --db herdwatch.sqlite --user alice --local-domain social.example following_accounts.csv
                """)

        @OptionGroup var database: StoreOptions

        @Option(
            help: ArgumentHelp(
                "The local user whose export this is: `name` (on the first --local-domain) or `name@domain`.",
                valueName: "user"))
        var user: String

        @OptionGroup var local: LocalDomainOptions

        @Argument(help: ArgumentHelp("The export (CSV); `-` reads standard input.", valueName: "file"))
        var file: String

        func run() async throws {
            guard let localUser = FollowImport.localAccount(user, domains: local.localDomains) else {
                throw ValidationError(
                    user.contains("@")
                        ? "--user \(user) is not name@domain"
                        : "--user \(user) needs a domain: give --local-domain, or --user \(user)@your.domain")
            }
            let data: Data?
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                data = FileManager.default.contents(atPath: file)
            }
            guard let data else { throw fail("cannot read \(file)") }
            let parsed: FollowImport
            do {
                parsed = try FollowImport(csv: String(decoding: data, as: UTF8.self), localUser: localUser)
            } catch {
                throw fail("\(file): \(error)")
            }
            let store = try await database.followStore()
            let changes = parsed.changes(at: Date())
            do {
                try await StoreOptions.onOwnThread { try store.apply(changes) }
            } catch {
                throw fail("cannot write the follow graph to \(database.label): \(error)")
            }
            print(
                "Imported \(parsed.accounts.count) follows of \(localUser.key)"
                    + (parsed.duplicates > 0 ? " (\(parsed.duplicates) repeated rows skipped)" : ""))
        }
    }
}
