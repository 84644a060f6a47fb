import Access
import Foundation
import HerdwatchTestSupport
import Storage
import Testing

@Suite("herdwatch user and token --user")
struct UserCommandTests {
    let db = temporaryDatabasePath()

    func run(_ arguments: [String], stdin: String? = nil) throws -> CLI.Output {
        try CLI.run(arguments + ["--db", db], stdin: stdin)
    }

    func store() throws -> SQLiteAccessStore {
        SQLiteAccessStore(database: try SQLiteDatabase(path: db))
    }

    @Test func addPrintsAGeneratedPasswordOnceOnItsLastLine() async throws {
        defer { removeDatabase(at: db) }
        let added = try run(["user", "add", "alice", "--role", "moderator"])
        #expect(added.status == 0, "\(added.stderr)")
        let lines = added.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "user alice (moderator) added to \(db)")
        let password = try #require(lines.last)
        #expect(password.count == 20)
        let alice = try await #require(try store().account(username: "alice"))
        #expect(alice.passwordHash.hasPrefix("$2b$12$"))
        #expect(PasswordHash.verify(password, against: alice.passwordHash))

        let listed = try run(["user", "list"])
        #expect(listed.status == 0)
        let fields = listed.stdout.split(separator: "\n").first?.split(separator: "\t").map(String.init) ?? []
        #expect(fields.prefix(4) == ["\(alice.id)", "alice", "moderator", "active"])
        #expect(fields.last?.hasPrefix("created 20") == true)
        #expect(!listed.stdout.contains("$2b$") && !listed.stdout.contains(password))
    }

    @Test func aPasswordFromStandardInputIsNeverPrinted() async throws {
        defer { removeDatabase(at: db) }
        let added = try run(
            ["user", "add", "bob", "--role", "contractor", "--password-stdin"], stdin: "correct horse\n")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout == "user bob (contractor) added to \(db)\n")
        let bob = try await #require(try store().account(username: "bob"))
        #expect(PasswordHash.verify("correct horse", against: bob.passwordHash))

        let changed = try run(["user", "password", "bob", "--password-stdin"], stdin: "battery staple\r\n")
        #expect(changed.stdout == "password of bob changed\n")
        let stored = try await #require(try store().account(username: "bob")).passwordHash
        #expect(PasswordHash.verify("battery staple", against: stored))
        #expect(!PasswordHash.verify("correct horse", against: stored))
    }

    @Test func mistakesAreSaidPlainly() throws {
        defer { removeDatabase(at: db) }
        let role = try run(["user", "add", "carol", "--role", "boss"])
        #expect(role.status != 0)
        #expect(role.stderr.contains("boss is not a role; use one of admin, lead, moderator, contractor"))
        let name = try run(["user", "add", "carol smith", "--role", "lead"])
        #expect(name.status != 0)
        #expect(name.stderr.contains("\"carol smith\" is not a username; use 1 to 64 letters, digits, '.', '_' or '-'"))
        let empty = try run(["user", "add", "carol", "--role", "lead", "--password-stdin"], stdin: "")
        #expect(empty.status == 2)
        #expect(empty.stderr == "herdwatch: the password is empty; give one of at least one character\n")
        #expect(try run(["user", "add", "carol", "--role", "lead"]).status == 0)
        let taken = try run(["user", "add", "carol", "--role", "moderator"])
        #expect(taken.status == 2)
        #expect(
            taken.stderr
                == "herdwatch: an account named carol already exists; choose another name (see `herdwatch user list`)\n"
        )
        for command in [
            ["user", "disable", "zed"], ["user", "enable", "zed"], ["user", "role", "zed", "lead"],
            ["token", "create", "--scope", "moderate", "--user", "zed"],
        ] {
            let unknown = try run(command)
            #expect(unknown.status == 2, "\(command)")
            #expect(
                unknown.stderr == "herdwatch: there is no user named zed; see `herdwatch user list`\n", "\(command)")
        }
        #expect(try run(["user", "add", "root", "--role", "admin"]).status == 0)
        let lastAdmin = try run(["user", "disable", "root"])
        #expect(lastAdmin.status == 2)
        #expect(
            lastAdmin.stderr
                == "herdwatch: cannot disable root: root is the only enabled admin; make another admin first (`herdwatch user add NAME --role admin`)\n"
        )
        let badRole = try run(["user", "role", "carol", "owner"])
        #expect(badRole.stderr.contains("owner is not a role; use one of admin, lead, moderator, contractor"))
    }

    @Test func disablingARoleChangeAndBoundTokensWorkOnTheFile() async throws {
        defer { removeDatabase(at: db) }
        #expect(try run(["user", "add", "dee", "--role", "contractor", "--password-stdin"], stdin: "pw\n").status == 0)
        let created = try run(["token", "create", "--scope", "moderate", "--user", "dee", "--name", "dee-script"])
        #expect(created.status == 0, "\(created.stderr)")
        let secret = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(created.stderr.contains("acting as dee (contractor)"))
        #expect(try run(["token", "list"]).stdout.contains("\tdee-script\tmoderate\t"))
        #expect(try run(["token", "list"]).stdout.hasSuffix("\tactive\tuser dee\n"))

        // A server's AccessControl reads the file afresh (a cache lifetime of zero stands for "after 30 s").
        let server = AccessControl(store: try store(), cacheLifetime: .zero)
        let before = try await #require(try server.principal(bearer: secret))
        #expect(before.account?.username == "dee")
        #expect(before.allows(.decide) && !before.allows(.confirmProposals))

        let role = try run(["user", "role", "dee", "lead"])
        #expect(role.stdout == "user dee is now lead (was contractor)\n")
        #expect(try await server.principal(bearer: secret)?.allows(.confirmProposals) == true)

        let disabled = try run(["user", "disable", "dee"])
        #expect(
            disabled.stdout
                == "user dee disabled; their 1 token(s) stop working (a running server notices within 30 s)\n")
        #expect(try await server.principal(bearer: secret) == nil)
        #expect(try run(["user", "list"]).stdout.contains("\tdee\tlead\tdisabled 20"))
        let refused = try run(["token", "create", "--scope", "moderate", "--user", "dee"])
        #expect(refused.status == 2)
        #expect(
            refused.stderr.contains(
                "user dee is disabled, so a token for them would not work; enable them first with `herdwatch user enable dee`"
            ))

        #expect(try run(["user", "enable", "dee"]).stdout == "user dee enabled\n")
        #expect(try await server.principal(bearer: secret)?.account?.username == "dee")
    }
}
