import Foundation
import HerdwatchTestSupport
import Testing

/// The default rules with the follow graph: who the sender is to this instance changes what a campaign, a
/// run of replies or a burst of Follows weighs.
@Suite("Default rules on the follow signals", .serialized)
struct FollowRulesCLITests {
    static let petition =
        "Please sign our petition to keep the Riverside public library open on weekends, and share it with your neighbours and friends"

    /// An envelope of a public `Create{Note}` (or a reply) at `minute` minutes past 2026-01-10T12:00Z (negative: before).
    static func post(
        _ id: String, by actor: String, text: String, minute: Int, mentioning: [String] = [], inReplyTo: String? = nil
    ) -> String {
        let date = Date(timeIntervalSince1970: 1_768_046_400 + Double(minute) * 60)
        let published = ISO8601DateFormatter().string(from: date)
        let tags = mentioning.map { #"{"type":"Mention","href":"\#($0)"}"# }.joined(separator: ",")
        let reply = inReplyTo.map { #","inReplyTo":"\#($0)""# } ?? ""
        return
            #"{"id":"\#(id)","activity":{"id":"\#(actor)/statuses/\#(id)/activity","type":"Create","actor":"\#(actor)","published":"\#(published)","to":["https://www.w3.org/ns/activitystreams#Public"],"object":{"id":"\#(actor)/statuses/\#(id)","type":"Note","published":"\#(published)","content":"\#(text)","to":["https://www.w3.org/ns/activitystreams#Public"],"tag":[\#(tags)]\#(reply)}}}"#
    }

    static func follow(_ id: String, by actor: String, of target: String, minute: Int) -> String {
        let published = ISO8601DateFormatter().string(
            from: Date(timeIntervalSince1970: 1_768_046_400 + Double(minute) * 60))
        return
            #"{"id":"\#(id)","activity":{"id":"\#(actor)#follows/\#(id)","type":"Follow","actor":"\#(actor)","published":"\#(published)","object":"\#(target)"}}"#
    }

    func run(_ stream: [String], db: String) throws -> [String: String] {
        let result = try CLI.run(
            ["check", "--db", db, "--local-domain", "our.example", "--format", "json", "-"],
            stdin: stream.joined(separator: "\n"))
        return Dictionary(
            uniqueKeysWithValues: try CLI.jsonLines(result.stdout).map {
                ($0["id"] as? String ?? "", $0["action"] as? String ?? "")
            })
    }

    @Test func anEstablishedFollowedAccountCopyingAWaveIsNotHeldAFreshOneIs() throws {
        let db = temporaryDatabasePath()
        defer { removeDatabase(at: db) }
        let veteran = "https://books.example/users/maria"
        let imported = try CLI.run(
            ["follows", "import", "--db", db, "--user", "alice@our.example", "-"],
            stdin: "Account address,Show boosts,Notify on new posts,Languages\nmaria@books.example,true,false,\n")
        #expect(imported.status == 0, "\(imported.stderr)")
        var stream: [String] = []
        // Two weeks of ordinary posts.
        let topics = [
            "rain", "tea", "trains", "jazz", "moss", "bread", "owls", "kites", "maps", "soup", "chess", "ferns",
        ]
        for day in 0..<24 {
            stream.append(
                Self.post(
                    "history-\(day)", by: veteran,
                    text: "Notes on \(topics[day % topics.count]) for day \(day), with thoughts \(day * 7)",
                    minute: -14 * 1440 + day * 600))
        }
        // The text goes round: 30 accounts on 6 servers, none seen before.
        for index in 0..<30 {
            stream.append(
                Self.post(
                    "copy-\(index)", by: "https://server\(index % 6).example/users/fresh\(index)", text: Self.petition,
                    minute: index))
        }
        stream.append(Self.post("veteran-copy", by: veteran, text: Self.petition, minute: 40))
        stream.append(
            Self.post("fresh-copy", by: "https://server2.example/users/latecomer", text: Self.petition, minute: 41))
        let actions = try run(stream, db: db)
        #expect(["accept", "flag"].contains(actions["veteran-copy"]), "\(actions["veteran-copy"] ?? "none")")
        #expect(["hold", "reject"].contains(actions["fresh-copy"]), "\(actions["fresh-copy"] ?? "none")")
    }

    @Test func oneAccountRepeatingAReplyToLocalStrangersIsHeld() throws {
        let db = temporaryDatabasePath()
        defer { removeDatabase(at: db) }
        let text = "Grow your audience fast with our premium boosting service, details on my profile page"
        let spammer = "https://cheap.example/users/promo"
        let stream = (0..<8).map { index in
            Self.post(
                "reply-\(index)", by: spammer, text: text, minute: index * 2,
                mentioning: ["https://our.example/users/user\(index)"],
                inReplyTo: "https://our.example/users/user\(index)/statuses/1")
        }
        let actions = try run(stream, db: db)
        #expect(actions["reply-0"] == "accept")
        #expect((5..<8).allSatisfy { ["hold", "reject"].contains(actions["reply-\($0)"]) }, "\(actions)")
    }

    @Test func aFreshAccountFollowingManyLocalUsersIsFlagged() throws {
        let db = temporaryDatabasePath()
        defer { removeDatabase(at: db) }
        let bot = "https://bots.example/users/follower"
        let stream = (0..<13).map {
            Self.follow("follow-\($0)", by: bot, of: "https://our.example/users/user\($0)", minute: $0)
        }
        let actions = try run(stream, db: db)
        #expect((0..<10).allSatisfy { actions["follow-\($0)"] == "accept" }, "\(actions)")
        #expect((10..<13).allSatisfy { actions["follow-\($0)"] != "accept" }, "\(actions)")
    }

    /// The 2019 mass follow (mastodon#11360): new accounts of one server following the same people. The third
    /// young follower of one account within the hour is held, and so is every young follower of that server
    /// after it, whoever they follow.
    @Test func newAccountsOfOneDomainFollowingTheSamePeopleAreHeld() throws {
        let db = temporaryDatabasePath()
        defer { removeDatabase(at: db) }
        let stream = (0..<14).map {
            Self.follow(
                "follow-\($0)", by: "https://farm.example/users/bot\($0)",
                of: "https://our.example/users/user\($0 % 3)", minute: $0)
        }
        let actions = try run(stream, db: db)
        // user0's followers are bot0, bot3 and bot6: follow-6 is the third.
        #expect((0..<6).allSatisfy { actions["follow-\($0)"] == "accept" }, "\(actions)")
        #expect((6..<14).allSatisfy { actions["follow-\($0)"] == "hold" }, "\(actions)")
    }

    /// Three throwaway accounts on a big server get themselves held, not the server's other newcomers the next
    /// hours: its accounts are mostly ones we have known for days, so the server is not marked.
    @Test func aBurstOnABigServerDoesNotHoldItsOtherNewcomers() throws {
        let db = temporaryDatabasePath()
        defer { removeDatabase(at: db) }
        // Forty accounts of big.example we have known for a week.
        var stream = (0..<40).map {
            Self.post(
                "known-\($0)", by: "https://big.example/users/known\($0)", text: "Morning walk number \($0)",
                minute: -7 * 1440 + $0)
        }
        stream += (0..<3).map {
            Self.follow(
                "burst-\($0)", by: "https://big.example/users/throwaway\($0)", of: "https://our.example/users/user0",
                minute: $0)
        }
        stream.append(
            Self.follow(
                "newcomer", by: "https://big.example/users/newcomer", of: "https://our.example/users/user5", minute: 90))
        let actions = try run(stream, db: db)
        #expect(actions["burst-2"] == "hold", "\(actions)")
        #expect(actions["newcomer"] == "accept", "\(actions)")
    }

    /// A big server's newcomers each follow someone else: no burst, however many there are.
    @Test func newAccountsOfOneDomainFollowingDifferentPeopleAreAccepted() throws {
        let db = temporaryDatabasePath()
        defer { removeDatabase(at: db) }
        let stream = (0..<14).map {
            Self.follow(
                "follow-\($0)", by: "https://big.example/users/new\($0)", of: "https://our.example/users/user\($0)",
                minute: $0)
        }
        let actions = try run(stream, db: db)
        #expect((0..<14).allSatisfy { actions["follow-\($0)"] == "accept" }, "\(actions)")
    }
}
