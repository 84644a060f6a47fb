import ActivityPub
import Configuration
import Foundation
import Logging
import Reputation
import ReviewQueue
import RuleEngine
import Testing

@testable import HerdwatchServer

/// The inbox path teaches the follow graph only what a verified signer says about itself.
@Suite("Follow graph on the inbox path")
struct FollowGraphGateTests {
    let bob: RemoteActor
    let mallory: RemoteActor
    let alice = "https://social.example/users/alice"

    init() throws {
        bob = try RemoteActor(id: "https://remote.example/users/bob")
        mallory = try RemoteActor(id: "https://evil.example/users/mallory")
    }

    func gate(mode: ServerConfiguration.SignatureMode, follows: LocalFollows) throws -> Gate {
        Gate(
            engines: RuleEngineHolder(try TestRules.engine()), reputation: nil, cases: InMemoryCaseStore(),
            keys: StaticKeys(keys: [bob.keyID: bob.key(), mallory.keyID: mallory.key()]), signatureMode: mode,
            foreignSigner: .evaluate, metrics: ServerMetrics(), logger: Logger(label: "test"), follows: follows)
    }

    var accept: String {
        #"{"id":"\#(bob.id)#accepts/1","type":"Accept","actor":"\#(bob.id)","object":{"id":"https://social.example/f/1","type":"Follow","actor":"\#(alice)","object":"\#(bob.id)"}}"#
    }

    func delivery(_ request: SignedRequest) -> Gate.Delivery {
        Gate.Delivery(
            method: request.method, target: request.path, headers: request.headers.fields.map { ($0.name, $0.value) },
            body: request.body)
    }

    @Test func aSignedAcceptOfALocalFollowIsLearned() async throws {
        let follows = try LocalFollows(store: InMemoryFollowStore(), localDomains: ["social.example"])
        let outcome = try await gate(mode: .enforce, follows: follows)
            .inbox(delivery(try bob.signedPost(path: "/inbox", host: "social.example", body: accept)))
        #expect(outcome.disposition == .forward)
        #expect(follows.withGraph { $0.localFollowers(ofRemote: "bob@remote.example") } == 1)
    }

    @Test func anAcceptSignedBySomeoneElseOrUnsignedIsNot() async throws {
        let follows = try LocalFollows(store: InMemoryFollowStore(), localDomains: ["social.example"])
        // Mallory signs bob's Accept: evaluated as unsigned (foreign signer), never learned.
        let foreign = try await gate(mode: .enforce, follows: follows)
            .inbox(delivery(try mallory.signedPost(path: "/inbox", host: "social.example", body: accept)))
        #expect(foreign.disposition == .forward)
        // With signatures only evaluated, an unsigned delivery reaches the rules but teaches nothing.
        let unsigned = try await gate(mode: .evaluate, follows: follows).inbox(
            Gate.Delivery(
                method: "POST", target: "/inbox",
                headers: [("Host", "social.example"), ("Content-Type", "application/activity+json")],
                body: Array(accept.utf8)))
        #expect(unsigned.disposition == .forward)
        #expect(follows.withGraph(\.count) == 0)
    }

    @Test func instanceDomainsAreReadNormalisedAndABadOneNamesTheKey() throws {
        func configuration(_ values: [AbsoluteConfigKey: ConfigValue]) throws(ServerConfigurationError)
            -> ServerConfiguration
        {
            try ServerConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: values)))
        }
        #expect(try configuration([:]).instanceDomains == [])
        #expect(
            try configuration([
                "instance.domains": .init(
                    .stringArray(["Social.Example.", "social.example", "bücher.example"]), isSecret: false)
            ])
            .instanceDomains == ["social.example", "xn--bcher-kva.example"])
        #expect {
            _ = try configuration([
                "instance.domains": .init(.stringArray(["https://social.example/"]), isSecret: false)
            ])
        } throws: { error in
            (error as? ServerConfigurationError)?.key == "instance.domains"
        }
    }
}
