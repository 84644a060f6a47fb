import Foundation
import RuleEngine
import Testing

@Suite("Loading and linting rule files")
struct RuleLoadingTests {
    static let valid = """
        rules:
          - id: spam.casino
            description: casino spam
            types: [Create]
            when: {regex: 'casino', in: content}
            score: 3
        """

    @Test func validRulesLoadWithAVersionThatTracksContent() throws {
        let first = try loadRules(["a.yaml": Self.valid])
        let same = try loadRules(["a.yaml": Self.valid])
        let changed = try loadRules(["a.yaml": Self.valid + "\n    tags: [x]\n"])
        #expect(first.rules.map(\.id) == ["spam.casino"])
        #expect(first.version.count == 16)
        #expect(first.version == same.version)
        #expect(first.version != changed.version)
    }

    func diagnostics(_ files: [String: String]) throws -> [RuleDiagnostic] {
        do {
            return try loadRules(files).warnings
        } catch let error as RuleSetError {
            return error.diagnostics
        }
    }

    @Test func badYAMLPointsAtTheLine() throws {
        let found = try diagnostics(["bad.yaml": "rules:\n  - id: x\n    description: [unclosed\n"])
        let error = try #require(found.first)
        #expect(error.severity == .error)
        #expect(error.location.file.hasSuffix("bad.yaml"))
        #expect(error.location.line == 4)
        #expect(error.message.hasPrefix("invalid YAML"))
    }

    @Test func unknownKeyGetsADidYouMeanHint() throws {
        let found = try diagnostics(["r.yaml": Self.valid.replacingOccurrences(of: "score: 3", with: "scor: 3\n    score: 3")])
        let error = try #require(found.first { $0.message.contains("unknown key `scor`") })
        #expect(error.location.line == 6)
        #expect(error.location.column == 5)
        #expect(error.hint == "did you mean `score`?")
    }

    @Test func regexThatDoesNotCompileIsReportedWithItsPosition() throws {
        let found = try diagnostics(["r.yaml": Self.valid.replacingOccurrences(of: "'casino'", with: "'casino('")])
        let error = try #require(found.first)
        #expect(error.message.contains("regex does not compile"))
        #expect(error.message.contains("at offset 7"))
        #expect(error.location.line == 5)
    }

    @Test func duplicateIDsAreErrors() throws {
        let found = try diagnostics(["a.yaml": Self.valid, "b.yaml": Self.valid])
        let error = try #require(found.first { $0.message.contains("duplicate rule id") })
        #expect(error.location.file.hasSuffix("b.yaml"))
        #expect(error.hint?.contains("a.yaml:2:5") == true)
    }

    @Test func unreachableThresholdIsAWarning() throws {
        let found = try diagnostics(["a.yaml": Self.valid, "policy.yaml": "policy:\n  thresholds: {flag: 2, hold: 8}\n"])
        #expect(found.count == 1)
        #expect(found.first?.severity == .warning)
        #expect(found.first?.message.contains("`hold: 8` is unreachable") == true)
    }

    @Test func thresholdsMustRise() throws {
        let found = try diagnostics(["a.yaml": Self.valid, "policy.yaml": "policy:\n  thresholds: {flag: 9, hold: 8}\n"])
        #expect(found.contains { $0.severity == .error && $0.message.contains("is not above") })
    }

    @Test func missingPartsAndUnknownFieldsAreExplained() throws {
        let rules = """
            rules:
              - id: a
                when: {field: mentions.cout, gte: 3}
                score: 1
              - id: b
                description: b
                types: [Create]
                when: {regex: 'x', in: contnet}
                action: nuke
            """
        let found = try diagnostics(["r.yaml": rules]).map(\.description)
        #expect(found.contains { $0.contains("needs a `description`") })
        #expect(found.contains { $0.contains("needs `types`") })
        #expect(found.contains { $0.contains("unknown field `mentions.cout`") && $0.contains("did you mean `mentions.count`?") })
        #expect(found.contains { $0.contains("unknown text field `contnet`") && $0.contains("did you mean `content`?") })
        #expect(found.contains { $0.contains("unknown action `nuke`") })
    }

    @Test func conditionWithTwoKindsIsRejected() throws {
        let rules = Self.valid.replacingOccurrences(of: "when: {regex: 'casino', in: content}", with: "when: {regex: 'a', words: [b]}")
        let found = try diagnostics(["r.yaml": rules])
        #expect(found.contains { $0.message.contains("exactly one kind") })
    }

    @Test func missingDirectoryIsAClearError() throws {
        #expect {
            try RuleSet.load(directory: "/nonexistent/rules")
        } throws: { error in
            (error as? RuleSetError)?.diagnostics.first?.message == "rule directory not found"
        }
    }

    @Test func listFilesAreReadRelativeToTheRuleFile() throws {
        let rules = """
            rules:
              - id: words
                description: listed words
                types: [Create]
                when: {words_file: lists/w.txt}
                score: 1
            """
        let ruleSet = try loadRules(["sub/r.yaml": rules, "sub/lists/w.txt": "# comment\nfree spins\n"])
        #expect(ruleSet.rules.count == 1)
        let missing = try diagnostics(["r.yaml": rules])
        #expect(missing.first?.message == "cannot read words file `lists/w.txt`")
    }
}
