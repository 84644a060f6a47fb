import Testing

@testable import ActivityPub

/// Our limits and checks around swift-http-structured-headers' dictionary parser.
@Suite struct StructuredFieldDictionaryTests {
    private func parseError(_ value: String, field: String = "Signature-Input") -> SignatureError? {
        do {
            _ = try StructuredFieldDictionary.parse(value, field: field)
            return nil
        } catch {
            return error
        }
    }

    /// RFC 8941 keeps the last of repeated keys; the library does so silently, and we refuse them.
    @Test(arguments: [
        #"sig1=("@method");created=1, sig1=("@method");created=2"#,
        "sig1=:c2ln:, sig2=:c2ln:, sig1=:c2ln:",
        #"sig1=("@method");keyid="a";keyid="b""#,
        #"sig1=("@method";x;x)"#,
        "a;b;b",
    ])
    func repeatedKeysAndParametersAreRefused(value: String) {
        let error = parseError(value)
        #expect(error?.code == .malformedHeader)
        #expect(error?.message.contains("repeated") == true)
    }

    /// Commas and semicolons inside strings and display strings are text, not members or parameters.
    @Test func separatorsInsideStringsAreNotCounted() {
        let commas = String(repeating: ",;", count: 100)
        #expect(parseError(#"sig1=("@method");keyid="\#(commas)\"";created=1"#) == nil)
        #expect(parseError(#"sig1=("@method");tag=%"\#(commas)";created=1"#) == nil)
        #expect(parseError(#"sig1=("a\\" "b");created=1, sig2=?0;x=1.5;y=@1708423200"#) == nil)
    }

    @Test func membersAndParametersAreCappedBeforeParsing() {
        let limit = StructuredFieldDictionary.maximumMembers
        #expect(parseError((0..<limit).map { "m\($0)=1" }.joined(separator: ",")) == nil)
        #expect(parseError((0...limit).map { "m\($0)=1" }.joined(separator: ","))?.code == .malformedHeader)
        #expect(parseError("sig1=()" + (0..<limit).map { ";p\($0)" }.joined()) == nil)
        #expect(parseError("sig1=()" + (0...limit).map { ";p\($0)" }.joined())?.code == .malformedHeader)
        #expect(parseError("sig1=(" + String(repeating: "1 ", count: limit + 1) + ")")?.code == .malformedHeader)
    }

    /// Messages name the field and the kind of fault, and never quote the value.
    @Test(arguments: [
        #"sig1=("@method" "secret-value);created=1"#,
        #"sig1=("@method");secret-value"#.uppercased(),
        "sig1=:secret-value:",
        "sig1=(\"secret-value\")\u{1}",
    ])
    func errorsNameTheFieldButNotTheValue(value: String) throws {
        let error = try #require(parseError(value, field: "Signature-Input"))
        #expect(error.code == .malformedHeader)
        #expect(error.message.contains("Signature-Input is not a valid structured-field dictionary (RFC 8941)"))
        #expect(!error.message.lowercased().contains("secret"))
    }
}
