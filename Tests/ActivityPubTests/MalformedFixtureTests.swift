import Testing

@testable import ActivityPub

@Suite struct MalformedFixtureTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let file: String
        let code: ActivityPubError.Code
        let jsonCode: JSONParseError.Code?
        let path: String
        var testDescription: String { file }
    }

    @Test(arguments: [
        Case(file: "not_json.json", code: .invalidJSON, jsonCode: .syntax, path: "$"),
        Case(file: "empty.json", code: .invalidJSON, jsonCode: .empty, path: "$"),
        Case(file: "deep_nesting_50.json", code: .invalidJSON, jsonCode: .tooDeep, path: "$.object" + String(repeating: ".object", count: 31)),
        Case(file: "invalid_utf8.json", code: .invalidJSON, jsonCode: .invalidUTF8, path: "$.object.content"),
        Case(file: "truncated.json", code: .invalidJSON, jsonCode: .syntax, path: "$.object.tag[1].href"),
        Case(file: "trailing_comma.json", code: .invalidJSON, jsonCode: .syntax, path: "$.object.tag[2]"),
        Case(file: "top_level_array.json", code: .notAnObject, jsonCode: nil, path: "$"),
        Case(file: "type_not_string.json", code: .missingField, jsonCode: nil, path: "$.type"),
    ])
    func rejectsWithTypedError(_ testCase: Case) throws {
        let bytes = try Fixtures.bytes("malformed", testCase.file)
        do {
            _ = try Activity.decode(bytes)
            Issue.record("\(testCase.file) decoded but should not")
        } catch {
            #expect(error.code == testCase.code)
            #expect(error.jsonError?.code == testCase.jsonCode)
            #expect(error.path == testCase.path)
            #expect(!error.message.isEmpty)
        }
    }

    @Test func invalidUTF8ReportsTheByteOffset() throws {
        let bytes = try Fixtures.bytes("malformed", "invalid_utf8.json")
        let expected = try #require(bytes.firstIndex(of: 0xE9))
        do {
            _ = try Activity.decode(bytes)
            Issue.record("expected an error")
        } catch {
            #expect(error.jsonError?.offset == expected)
            #expect(error.jsonError?.line == 6)
        }
    }

    @Test func wrongTypesAreIgnoredNotFatal() throws {
        let activity = try Activity.decode(try Fixtures.bytes("malformed", "wrong_types.json"))
        #expect(activity.type == "Create")
        #expect(activity.actorID == nil)
        #expect(activity.to.isEmpty)
        #expect(activity.cc.isEmpty)
        #expect(activity.published == nil)
        guard case .object(let object)? = activity.object else {
            Issue.record("expected an embedded object")
            return
        }
        #expect(object.content == nil)
        #expect(object.tags.isEmpty)
        #expect(object.attachments.isEmpty)
        #expect(object.inReplyTo == nil)
        #expect(object.summary == nil)
        #expect(object.contentMap.isEmpty)
        let subject = Normalizer.subject(for: activity)
        #expect(subject.texts.isEmpty)
        #expect(subject.mentions.isEmpty)
        #expect(subject.visibility == .unknown)
        #expect(subject.objectType == "Note")
    }

    @Test func numericObjectAndJunkArraysAreIgnored() throws {
        let activity = try Activity.decode(try Fixtures.bytes("malformed", "wrong_types_object_number.json"))
        #expect(activity.object == nil)
        #expect(activity.to == ["https://www.w3.org/ns/activitystreams#Public"])
        #expect(activity.tags.isEmpty)
        let subject = Normalizer.subject(for: activity)
        #expect(subject.matchTypes == ["Announce"])
        #expect(subject.objectID == nil)
        #expect(subject.visibility == .public)
    }

    @Test func fiveMegabyteBodyIsRejectedAsTooLarge() {
        var body = Array(#"{"type":"Create","object":{"type":"Note","content":""#.utf8)
        body += [UInt8](repeating: UInt8(ascii: "x"), count: 5 * 1024 * 1024)
        body += Array(#""}}"#.utf8)
        do {
            _ = try Activity.decode(body)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidJSON)
            #expect(error.jsonError?.code == .tooLarge)
        }
    }
}
