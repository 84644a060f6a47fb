import Foundation
import Testing

@testable import ActivityPub

@Suite struct JSONParserTests {
    @Test func parsesEveryValueKind() throws {
        let value = try JSONValue.parse(#"{"a": [1, -2.5, 3e2, true, false, null, "x"], "b": {}, "c": []}"#)
        #expect(value["a"] == .array([.number(1), .number(-2.5), .number(300), .bool(true), .bool(false), .null, .string("x")]))
        #expect(value["b"] == .object([:]))
        #expect(value["c"]?.arrayValue?.isEmpty == true)
        #expect(value["a"]?[0]?.intValue == 1)
        #expect(value["a"]?[1]?.intValue == nil)
        #expect(value["a"]?[99] == nil)
        #expect(value["missing"] == nil)
    }

    @Test func decodesEscapes() throws {
        let value = try JSONValue.parse(#"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u3042", "\ud83d\ude00", "<\u0000>"]"#)
        #expect(value[0]?.stringValue == "a\"b\\c/d\u{08}\u{0C}\n\r\t")
        #expect(value[1]?.stringValue == "é\u{3042}")
        #expect(value[2]?.stringValue == "😀")
        #expect(value[3]?.stringValue == "<\u{0}>")
    }

    @Test(arguments: [
        (#"["\ud83d"]"#, "\u{FFFD}"),
        (#"["\ude00x"]"#, "\u{FFFD}x"),
        (#"["\ud83d\u0041"]"#, "\u{FFFD}A"),
    ])
    func loneSurrogatesBecomeReplacementCharacter(json: String, expected: String) throws {
        #expect(try JSONValue.parse(json)[0]?.stringValue == expected)
    }

    @Test func duplicateKeysKeepTheLastValue() throws {
        let value = try JSONValue.parse(#"{"type": "Note", "type": "Create"}"#)
        #expect(value["type"]?.stringValue == "Create")
        #expect(value.objectValue?.count == 1)
    }

    @Test func objectsKeepDocumentOrderAndSeeEachKeyOnce() throws {
        let object = try #require(try JSONValue.parse(#"{"z": 1, "a": 2, "z": 3, "m": 4}"#).objectValue)
        #expect(object.keys == ["z", "a", "m"])
        #expect(object.map(\.value) == [.number(3), .number(2), .number(4)])
        #expect(object.dictionary == ["z": .number(3), "a": .number(2), "m": .number(4)])
        var edited = object
        edited["z"] = nil
        edited["n"] = .null
        #expect(edited.keys == ["a", "m", "n"])
        #expect(edited["z"] == nil)
    }

    @Test func aHugeObjectWithRepeatedKeysKeepsTheLastValues() throws {
        // 200,000 members over 1,000 keys: each key keeps the value it was given last.
        let members = (0..<200_000).map { #""k\#($0 % 1000)":\#($0)"# }.joined(separator: ",")
        let value = try JSONValue.parse("{" + members + "}", limits: JSONLimits(maxBytes: 10_000_000))
        #expect(value["k999"]?.intValue == 199_999)
        #expect(value.objectValue?.count == 1000)
    }

    @Test func nestedObjectsKeepTheirOwnMembers() throws {
        // Objects nested in objects and arrays, each wider than the parser's first stack, built from the inside out.
        func object(depth: Int, width: Int) -> String {
            let members = (0..<width).map { index in
                let value = depth > 0 && index % 7 == 3 ? object(depth: depth - 1, width: width) : "\"v\(depth).\(index)\""
                return "\"k\(index)\": " + (index % 5 == 4 ? "[\(value), \(value)]" : value)
            }
            return "{" + members.joined(separator: ",") + "}"
        }
        let value = try JSONValue.parse(object(depth: 3, width: 20))
        func check(_ value: JSONValue?, depth: Int) {
            let members = value?.objectValue
            #expect(members?.keys == (0..<20).map { "k\($0)" })
            #expect(members?["k0"]?.stringValue == "v\(depth).0")
            #expect(members?["k19"]?.arrayValue?.map(\.stringValue) == ["v\(depth).19", "v\(depth).19"])
            if depth > 0 { check(members?["k3"], depth: depth - 1) }
        }
        check(value, depth: 3)
        // Failing inside a nested object leaves nothing behind for the next document.
        #expect(throws: JSONParseError.self) { try JSONValue.parse(#"{"a": 1, "b": {"c": 2, "d": }}"#) }
        #expect(try JSONValue.parse(#"{"e": {"f": 3}}"#) == .object(["e": .object(["f": .number(3)])]))
    }

    @Test func commonKeysReadLikeAnyOther() throws {
        let object = try #require(try JSONValue.parse(#"{"type":1,"types":2,"typ":4,"\u0074ype":3,"ｔype":5,"":6,"@context":7}"#).objectValue)
        #expect(object.keys == ["type", "types", "typ", "ｔype", "", "@context"])
        #expect(object["type"] == .number(3))
        #expect(object[""] == .number(6))
        #expect(object["@context"] == .number(7))
        // Errors inside values of common keys still say where they are.
        do {
            _ = try JSONValue.parse(#"{"object": {"tag": [1, ]}}"#)
            Issue.record("parsed a trailing comma")
        } catch {
            #expect(error.path == "$.object.tag[1]")
        }
    }

    @Test func keyOrderDoesNotMatter() throws {
        #expect(try JSONValue.parse(#"{"a":1,"b":2}"#) == JSONValue.parse(#"{"b":2,"a":1}"#))
    }

    @Test func parsesDataAndBytesAlike() throws {
        let text = #"{"k": "välue"}"#
        let fromData = try JSONValue.parse(Data(text.utf8))
        let fromBytes = try JSONValue.parse(Array(text.utf8))
        #expect(fromData == fromBytes)
        #expect(fromBytes["k"]?.stringValue == "välue")
    }

    @Test func skipsByteOrderMark() throws {
        #expect(try JSONValue.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == .array([.number(1)]))
    }

    @Test func largeIntegersAndFractionsKeepTheirValue() throws {
        let value = try JSONValue.parse("[123456789012345678, 0.1, -0, 1E-2]")
        #expect(value[0]?.doubleValue == 1.2345678901234568e17)
        #expect(value[1]?.doubleValue == 0.1)
        #expect(value[2]?.doubleValue == 0)
        #expect(value[3]?.doubleValue == 0.01)
    }

    struct Rejection: Sendable, CustomTestStringConvertible {
        let json: String
        let code: JSONParseError.Code
        let offset: Int
        let path: String
        var testDescription: String { json }
    }

    @Test(arguments: [
        Rejection(json: "", code: .empty, offset: 0, path: "$"),
        Rejection(json: "  \n ", code: .empty, offset: 4, path: "$"),
        Rejection(json: "{", code: .syntax, offset: 1, path: "$"),
        Rejection(json: #"{"a": 01}"#, code: .syntax, offset: 7, path: "$.a"),
        Rejection(json: #"{"a": [1, 2,]}"#, code: .syntax, offset: 12, path: "$.a[2]"),
        Rejection(json: #"{"a": 1,}"#, code: .syntax, offset: 8, path: "$"),
        Rejection(json: "{'a': 1}", code: .syntax, offset: 1, path: "$"),
        Rejection(json: #"{"a": tru}"#, code: .syntax, offset: 9, path: "$.a"),
        Rejection(json: #"{"a": NaN}"#, code: .syntax, offset: 6, path: "$.a"),
        Rejection(json: #"{"a": "x\qy"}"#, code: .syntax, offset: 8, path: "$.a"),
        Rejection(json: #"{"a": "\u12G4"}"#, code: .syntax, offset: 11, path: "$.a"),
        Rejection(json: "{\"a\": \"tab\there\"}", code: .syntax, offset: 10, path: "$.a"),
        Rejection(json: #"{"a": 1} x"#, code: .syntax, offset: 9, path: "$"),
        Rejection(json: #"{"a": -}"#, code: .syntax, offset: 7, path: "$.a"),
        Rejection(json: #"{"a": 1.}"#, code: .syntax, offset: 8, path: "$.a"),
        Rejection(json: #"{"object": {"tag": [{}, {"href": }]}}"#, code: .syntax, offset: 33, path: "$.object.tag[1].href"),
        Rejection(json: #"{"weird key!": [}"#, code: .syntax, offset: 16, path: "$[…][0]"),
    ])
    func rejectsInvalidDocuments(_ rejection: Rejection) {
        #expect {
            try JSONValue.parse(rejection.json)
        } throws: { error in
            guard let error = error as? JSONParseError else { return false }
            return error.code == rejection.code && error.offset == rejection.offset && error.path == rejection.path
        }
    }

    @Test func reportsLineAndColumn() {
        do {
            _ = try JSONValue.parse("{\n  \"a\": 1,\n  \"b\": ?\n}")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .syntax)
            #expect(error.line == 3)
            #expect(error.column == 8)
            #expect(error.path == "$.b")
            #expect(error.description.contains("line 3, column 8"))
        }
    }

    @Test func rejectsInvalidUTF8WithItsOffset() {
        let bytes = Array(#"{"content": "caf"#.utf8) + [0xE9] + Array(#" noir"}"#.utf8)
        do {
            _ = try JSONValue.parse(bytes)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidUTF8)
            #expect(error.offset == 16)
            #expect(error.path == "$.content")
        }
    }

    @Test(arguments: [
        [0xC0, 0x80] as [UInt8],  // overlong NUL
        [0xED, 0xA0, 0x80],  // encoded surrogate
        [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
        [0xE3, 0x81],  // truncated
        [0xFF],
    ])
    func rejectsMalformedSequences(_ sequence: [UInt8]) {
        let bytes = Array("[\"".utf8) + sequence + Array("\"]".utf8)
        #expect {
            try JSONValue.parse(bytes)
        } throws: { ($0 as? JSONParseError)?.code == .invalidUTF8 }
    }

    @Test func rejectsInvalidUTF8OutsideStrings() {
        #expect {
            try JSONValue.parse([UInt8(ascii: "["), 0xFF, UInt8(ascii: "]")])
        } throws: { ($0 as? JSONParseError)?.code == .invalidUTF8 && ($0 as? JSONParseError)?.offset == 1 }
    }

    @Test func depthLimitIsConfigurable() throws {
        let nested = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        #expect {
            try JSONValue.parse(nested)
        } throws: { error in
            guard let error = error as? JSONParseError else { return false }
            return error.code == .tooDeep && error.offset == 32 && error.path.hasPrefix("$[0][0]")
        }
        let value = try JSONValue.parse(nested, limits: JSONLimits(maxDepth: 64))
        #expect(value.arrayValue?.count == 1)
        #expect(JSONLimits.default.maxDepth == 32)
    }

    @Test func rejectsOversizedBodyBeforeParsing() {
        var body = Array(#"{"type":"Create","content":""#.utf8)
        body += [UInt8](repeating: UInt8(ascii: "a"), count: 5_000_000)
        body += Array(#""}"#.utf8)
        do {
            _ = try JSONValue.parse(body)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .tooLarge)
            #expect(error.message.contains("1048576"))
        }
        #expect(throws: Never.self) { try JSONValue.parse(body, limits: JSONLimits(maxBytes: 6_000_000)) }
    }

    @Test func errorMessagesNeverQuoteDocumentText() {
        let secret = "buy cheap pills at spam.example"
        do {
            _ = try JSONValue.parse(#"{"content": ""# + secret + #"", }"#)
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("pills"))
            #expect(error.path == "$")
        }
    }
}
