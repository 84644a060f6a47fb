import ActivityPub
import Foundation
import Intake
import Reputation
import Testing

@Suite("Envelope: the one parser of hook bodies, check input and demo entries")
struct EnvelopeTests {
    static let note =
        #"{"id":"https://a.example/activities/1","type":"Create","actor":"https://a.example/users/x","object":{"id":"https://a.example/notes/1","type":"Note","content":"hi","attributedTo":"https://a.example/users/x"}}"#

    @Test func aBareActivityIsItsOwnBody() throws {
        let envelope = try Envelope.parse(Array(Self.note.utf8))
        #expect(envelope.id == nil)
        #expect(envelope.activity.id == "https://a.example/activities/1")
        #expect(envelope.body == Array(Self.note.utf8))
        #expect(envelope.statedSignature == nil)
    }

    @Test func anEnvelopeCarriesItsIdActorAndStatedSignature() throws {
        let text =
            #"{"id":"case-7","signature":"failed","actor":{"id":"https://a.example/users/x","type":"Person","preferredUsername":"x"},"activity":"#
            + Self.note + "}"
        let envelope = try Envelope.parse(Array(text.utf8))
        #expect(envelope.id == "case-7")
        #expect(envelope.statedSignature == .failed)
        #expect(envelope.actor?.id == "https://a.example/users/x")
        #expect(envelope.originalRequest == nil)
    }

    /// `herdwatch eval`'s labels: spam or ham, and a slice that defaults to the label; anything else is an error at
    /// its JSON path.
    @Test func aLabelledEnvelopeCarriesItsLabelAndSlice() throws {
        let labelled = try Envelope.parse(
            Array((#"{"label":"spam","slice":"wave-2019-replies/test","activity":"# + Self.note + "}").utf8))
        #expect(labelled.label == Envelope.Label(kind: .spam, slice: "wave-2019-replies/test"))
        let unsliced = try Envelope.parse(Array((#"{"label":"ham","activity":"# + Self.note + "}").utf8))
        #expect(unsliced.label == Envelope.Label(kind: .ham, slice: "ham"))
        #expect(try Envelope.parse(Array((#"{"activity":"# + Self.note + "}").utf8)).label == nil)
        for (field, path) in [(#""label":"Spam""#, "$.label"), (#""label":"ham","slice":"""#, "$.slice")] {
            #expect {
                try Envelope.parse(Array(("{\(field),\"activity\":" + Self.note + "}").utf8))
            } throws: { ($0 as? EnvelopeError)?.error.path == path }
        }
    }

    @Test func theOriginalDeliveryIsKeptForVerification() throws {
        let body = Self.note.replacingOccurrences(of: "\"", with: "\\\"")
        let text =
            #"{"path":"/users/y/inbox","headers":{"Signature":"keyId=\"k\"","Accept":["a","b"]},"body":""# + body
            + "\"}"
        let envelope = try Envelope.parse(Array(text.utf8))
        let request = try #require(envelope.originalRequest)
        #expect(request.path == "/users/y/inbox")
        #expect(request.method == "POST")
        #expect(envelope.body == Array(Self.note.utf8))
        #expect(envelope.activity.actorID == "https://a.example/users/x")
    }

    @Test(arguments: [
        (#"[1]"#, "$", "expected a JSON object"),
        (#"{"activity": {"type": "Create"}, "id": "e1", "signature": "maybe"}"#, "$.signature", "verified"),
        (#"{"body": 5}"#, "$.body", "must be a string"),
        (#"{"body": "{", "headers": {}}"#, "$.body", "not valid JSON"),
        (
            #"{"id": "e2", "activity": {"type": "Create", "actor": "https://a.example/u"}, "signature": "verified", "headers": {"X": 1}, "body": "{}"}"#,
            "$.body", ""
        ),
    ])
    func badInputIsNamedWithItsPath(text: String, path: String, words: String) {
        do {
            _ = try Envelope.parse(Array(text.utf8))
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.error.path.hasPrefix(path) || error.error.path.hasPrefix("$"), "\(error)")
            #expect(words.isEmpty || error.error.message.contains(words), "\(error)")
        }
    }

    @Test func theEnvelopeIdIsKeptWhenItsActivityIsBad() {
        do {
            _ = try Envelope.parse(Array(#"{"id":"line-9","activity":{"id":"x"}}"#.utf8))
            Issue.record("parsed")
        } catch {
            #expect(error.id == "line-9")
        }
    }
}
