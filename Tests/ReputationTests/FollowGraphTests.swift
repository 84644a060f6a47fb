import ActivityPub
import Foundation
import Reputation
import Testing

@Suite("Local follow graph")
struct FollowGraphTests {
    let date = Date(timeIntervalSince1970: 1_760_000_000)
    let local = "our.example"

    func activity(_ json: String) throws -> Activity {
        try Activity.decode(Array(json.utf8))
    }

    func follows() throws -> LocalFollows {
        try LocalFollows(store: InMemoryFollowStore(), localDomains: ["Our.Example."])
    }

    /// A remote actor's `Accept` of `follower`'s Follow of it.
    func accept(by remote: String, of follower: String, type: String = "Accept") -> String {
        """
        {"id":"\(remote)#accepts/1","type":"\(type)","actor":"\(remote)",
         "object":{"id":"https://our.example/follows/1","type":"Follow","actor":"\(follower)","object":"\(remote)"}}
        """
    }

    func mention(from sender: String, to targets: [String]) throws -> Subject {
        let tags = targets.map { #"{"type":"Mention","href":"\#($0)"}"# }.joined(separator: ",")
        let json = """
            {"id":"\(sender)/statuses/1/activity","type":"Create","actor":"\(sender)",
             "object":{"id":"\(sender)/statuses/1","type":"Note","content":"hi","tag":[\(tags)]}}
            """
        return Normalizer.subject(for: try activity(json), actor: nil, now: date)
    }

    @Test(arguments: [
        ("https://remote.example/users/Bob", "bob@remote.example"),
        ("https://remote.example/@bob", "bob@remote.example"),
        ("https://lemmy.example/u/bob", "bob@lemmy.example"),
        ("https://misskey.example/users/9abc", "9abc@misskey.example"),
        ("https://remote.example/users/bob/", "https://remote.example/users/bob/"),
        ("https://remote.example/users/bob?x=1", "https://remote.example/users/bob?x=1"),
        ("https://remote.example/actor", "https://remote.example/actor"),
        ("https://remote.example", "https://remote.example"),
        ("https://remote.example/users/bob/statuses/1", "https://remote.example/users/bob/statuses/1"),
        ("https://remote.example/@b%C3%B6b", "https://remote.example/@b%C3%B6b"),
    ])
    func actorIDsKeyByUsernameOnlyInTheCommonForms(id: String, key: String) throws {
        #expect(FollowAccount(actorID: id)?.key == key)
    }

    @Test func addressesFromAnExportMeetActorIDs() {
        #expect(
            FollowAccount(address: "Bob@Remote.Example")?.key
                == FollowAccount(actorID: "https://remote.example/users/bob")?.key)
        #expect(FollowAccount(address: "@bob@remote.example")?.host == "remote.example")
        for bad in ["bob", "bob@", "@remote.example", "bo b@remote.example", "bob@remote.example:99999", "bob@[::1]"] {
            #expect(FollowAccount(address: bad) == nil, "\(bad)")
        }
    }

    @Test func countsFollowEveryInsertAndRemove() {
        var graph = FollowGraph(capacity: 10)
        let alice = FollowAccount(address: "alice@our.example")!
        let carol = FollowAccount(address: "carol@our.example")!
        let bob = FollowAccount(address: "bob@remote.example")!
        let dan = FollowAccount(address: "dan@remote.example")!
        let changed1 = graph.insert(FollowEdge(local: alice, remote: bob, direction: .localFollowsRemote), since: date)
        #expect(changed1)
        let changed2 = graph.insert(FollowEdge(local: alice, remote: bob, direction: .localFollowsRemote), since: date)
        #expect(!changed2, "once")
        graph.insert(FollowEdge(local: alice, remote: dan, direction: .localFollowsRemote), since: date)
        graph.insert(FollowEdge(local: carol, remote: bob, direction: .localFollowsRemote), since: date)
        graph.insert(FollowEdge(local: carol, remote: bob, direction: .remoteFollowsLocal), since: date)
        #expect(graph.localFollowers(ofRemote: bob.key) == 2)
        #expect(graph.localsFollowed(byRemote: bob.key) == 1)
        #expect(graph.localFollowers(ofDomain: "remote.example") == 2, "alice counts once though she follows two there")
        graph.remove(FollowEdge(local: alice, remote: bob, direction: .localFollowsRemote))
        #expect(graph.localFollowers(ofRemote: bob.key) == 1)
        #expect(graph.localFollowers(ofDomain: "remote.example") == 2, "alice still follows dan")
        graph.remove(FollowEdge(local: alice, remote: dan, direction: .localFollowsRemote))
        #expect(graph.localFollowers(ofDomain: "remote.example") == 1)
        #expect(!graph.follows(local: alice.key, remote: bob.key, remoteHost: bob.host))
        #expect(graph.follows(local: carol.key, remote: bob.key, remoteHost: bob.host))
    }

    @Test func aFullGraphRefusesNewEdgesButStillRemoves() {
        var graph = FollowGraph(capacity: 1)
        let alice = FollowAccount(address: "alice@our.example")!
        let first = FollowEdge(
            local: alice, remote: FollowAccount(address: "a@r.example")!, direction: .localFollowsRemote)
        let second = FollowEdge(
            local: alice, remote: FollowAccount(address: "b@r.example")!, direction: .localFollowsRemote)
        let changed3 = graph.insert(first, since: date)
        #expect(changed3)
        let changed4 = graph.insert(second, since: date)
        #expect(!changed4)
        #expect(graph.refused == 1 && graph.count == 1)
        let changed5 = graph.remove(first)
        #expect(changed5)
        let changed6 = graph.insert(second, since: date)
        #expect(changed6)
    }

    @Test func aVerifiedAcceptMakesTheLocalUserAFollowerAndMentionsSeeIt() throws {
        let follows = try follows()
        let bob = "https://remote.example/users/bob"
        var subject = try mention(
            from: bob,
            to: ["https://our.example/users/alice", "https://our.example/@carol", "https://elsewhere.example/users/x"])
        #expect(follows.signals(for: subject) == FollowSignals(mentionsLocal: 2, mentionsLocalNotFollowing: 2))

        let changes = follows.learn(
            from: try activity(accept(by: bob, of: "https://our.example/users/alice")), signature: .verified,
            signer: bob, at: date)
        #expect(changes.count == 1)
        subject = try mention(from: bob, to: ["https://our.example/users/alice", "https://our.example/@carol"])
        #expect(
            follows.signals(for: subject)
                == FollowSignals(
                    followedByLocal: 1, mentionsLocal: 2, mentionsLocalNotFollowing: 1, domainFollowedByLocal: 1))
        let twice = try mention(from: bob, to: ["https://our.example/users/alice", "https://our.example/@alice"])
        #expect(follows.signals(for: twice).mentionsLocal == 1, "one user under two ids counts once")
        let stranger = try mention(
            from: "https://third.example/users/x",
            to: ["https://our.example/@Alice", "https://our.example/users/carol"])
        #expect(follows.signals(for: stranger) == FollowSignals(mentionsLocal: 2, mentionsLocalNotFollowing: 2))
        let other = try mention(from: "https://remote.example/users/dan", to: [])
        #expect(
            follows.signals(for: other) == FollowSignals(domainFollowedByLocal: 1),
            "dan's domain is followed, dan is not")
    }

    @Test(arguments: [SignatureStatus.unsigned, .failed])
    func anUnverifiedDeliveryChangesNothing(status: SignatureStatus) throws {
        let follows = try follows()
        let bob = "https://remote.example/users/bob"
        let accept = try activity(accept(by: bob, of: "https://our.example/users/alice"))
        #expect(follows.learn(from: accept, signature: status, signer: nil, at: date).isEmpty)
        #expect(follows.learn(from: accept, signature: status, signer: bob, at: date).isEmpty)
        // Verified, but by someone other than the actor.
        #expect(
            follows.learn(from: accept, signature: .verified, signer: "https://remote.example/users/eve", at: date)
                .isEmpty)
        #expect(follows.withGraph(\.count) == 0)
        #expect(follows.pendingChanges == 0)
    }

    @Test func followUndoRejectAndBlockFromVerifiedSenders() throws {
        let follows = try follows()
        let bob = "https://remote.example/users/bob"
        let follow = """
            {"id":"\(bob)#follows/7","type":"Follow","actor":"\(bob)","object":"https://our.example/users/alice"}
            """
        follows.learn(from: try activity(follow), signature: .verified, signer: bob, at: date)
        let subject = try mention(from: bob, to: [])
        #expect(follows.signals(for: subject).followsLocal == 1)
        let undo = #"{"id":"\#(bob)#undo","type":"Undo","actor":"\#(bob)","object":\#(follow)}"#
        #expect(follows.learn(from: try activity(undo), signature: .verified, signer: bob, at: date).count == 1)
        #expect(follows.signals(for: subject).followsLocal == 0)

        follows.learn(
            from: try activity(accept(by: bob, of: "https://our.example/users/alice")), signature: .verified,
            signer: bob, at: date)
        #expect(follows.signals(for: subject).followedByLocal == 1)
        follows.learn(
            from: try activity(accept(by: bob, of: "https://our.example/users/alice", type: "Reject")),
            signature: .verified,
            signer: bob, at: date)
        #expect(follows.signals(for: subject).followedByLocal == 0)

        follows.learn(from: try activity(follow), signature: .verified, signer: bob, at: date)
        follows.learn(
            from: try activity(accept(by: bob, of: "https://our.example/users/alice")), signature: .verified,
            signer: bob, at: date)
        let block =
            #"{"id":"\#(bob)#block","type":"Block","actor":"\#(bob)","object":"https://our.example/users/alice"}"#
        follows.learn(from: try activity(block), signature: .verified, signer: bob, at: date)
        #expect(follows.signals(for: subject) == .zero)
    }

    @Test func whatCannotBeAttributedChangesNothing() throws {
        let follows = try follows()
        let bob = "https://remote.example/users/bob"
        let cases = [
            // An Accept of a bare Follow id: who followed is not said.
            #"{"id":"\#(bob)#a","type":"Accept","actor":"\#(bob)","object":"https://our.example/follows/1"}"#,
            // An Accept of a Follow of someone else than the accepter.
            accept(by: bob, of: "https://our.example/users/alice").replacingOccurrences(
                of: #""object":"\#(bob)""#, with: #""object":"https://remote.example/users/dan""#),
            // An Accept of a Follow by a non-local actor.
            accept(by: bob, of: "https://third.example/users/zed"),
            // A Follow of a non-local actor.
            #"{"id":"\#(bob)#f","type":"Follow","actor":"\#(bob)","object":"https://third.example/users/zed"}"#,
            // An Undo of someone else's Follow.
            #"{"id":"\#(bob)#u","type":"Undo","actor":"\#(bob)","object":{"type":"Follow","actor":"https://remote.example/users/dan","object":"https://our.example/users/alice"}}"#,
            // A local actor's own Follow.
            #"{"id":"https://our.example/f","type":"Follow","actor":"https://our.example/users/carol","object":"https://our.example/users/alice"}"#,
        ]
        for json in cases {
            let activity = try activity(json)
            #expect(
                follows.learn(from: activity, signature: .verified, signer: activity.actorID, at: date).isEmpty,
                "\(json)")
        }
    }

    @Test func withoutLocalDomainsNothingIsLearnedAndSignalsAreZero() throws {
        let follows = try LocalFollows(store: InMemoryFollowStore(), localDomains: [])
        let bob = "https://remote.example/users/bob"
        let accept = try activity(accept(by: bob, of: "https://our.example/users/alice"))
        #expect(follows.learn(from: accept, signature: .verified, signer: bob, at: date).isEmpty)
        #expect(follows.signals(for: try mention(from: bob, to: ["https://our.example/users/alice"])) == .zero)
    }

    @Test func changesReachTheStoreOnlyWhenFlushedAndAreLoadedBack() throws {
        let store = InMemoryFollowStore()
        let follows = try LocalFollows(store: store, localDomains: ["our.example"], configuration: .init(batchSize: 2))
        let bob = "https://remote.example/users/bob"
        follows.learn(
            from: try activity(accept(by: bob, of: "https://our.example/users/alice")), signature: .verified,
            signer: bob, at: date)
        #expect(try store.edgeCount() == 0)
        #expect(!follows.needsFlush)
        follows.learn(
            from: try activity(accept(by: bob, of: "https://our.example/users/carol")), signature: .verified,
            signer: bob, at: date)
        #expect(follows.needsFlush)
        try follows.flush()
        #expect(try store.edgeCount() == 2)
        #expect(follows.pendingChanges == 0)
        let reloaded = try LocalFollows(store: store, localDomains: ["our.example"], configuration: .init(capacity: 1))
        #expect(reloaded.loadedEdges == 1 && reloaded.storedEdges == 2, "bounded: loads at most `capacity` edges")
    }

    @Test func anExportReadsWithWindowsLineEndingsAndAByteOrderMarkAndListsEveryBadLine() throws {
        let alice = try #require(FollowAccount(address: "alice@our.example"))
        let parsed = try FollowImport(
            csv:
                "\u{FEFF}Account address,Show boosts,Notify on new posts,Languages\r\nbob@remote.example,true,false,\r\n"
                + "\"Carol@Other.Example\",true,false,en\r\nbob@remote.example,true,false,\r\n",
            localUser: alice)
        #expect(parsed.accounts.map(\.key) == ["bob@remote.example", "carol@other.example"])
        #expect(parsed.duplicates == 1)
        #expect(
            parsed.changes(at: date)
                == parsed.accounts.map {
                    .add(
                        FollowRecord(
                            edge: FollowEdge(local: alice, remote: $0, direction: .localFollowsRemote), since: date))
                })
        #expect {
            _ = try FollowImport(csv: "Account address\nbob@remote.example\nnope\n\nx@\n", localUser: alice)
        } throws: { error in
            (error as? FollowImportError)?.problems.map { $0.prefix(7) } == ["line 3:", "line 5:"]
        }
    }
}
