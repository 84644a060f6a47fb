import ActivityPub
import Foundation
import RuleEngine
import Testing

@Suite("Evaluating activities")
struct EvaluationTests {
    static let rules = """
        rules:
          - id: text.casino
            description: casino
            types: [Create]
            when: {regex: 'casino', in: [content, summary]}
            score: 3
          - id: text.bonus
            description: bonus words
            types: [Create]
            when: {words: [free spins, bonus code]}
            score: 3
          - id: mentions.many
            description: many mentions, not a reply
            types: [Create]
            when:
              all:
                - {field: mentions.count, gte: 4}
                - {field: is.reply, is: false}
            score: 4
          - id: domains.bad
            description: bad link domain
            types: [Create]
            when: {domains: [bad.example], in: links}
            action: reject
          - id: allow.friends
            description: trusted instance
            types: [any]
            when: {domains: [friends.example], in: actor}
            action: accept
          - id: shadow.summary
            description: content warning present
            types: [Create]
            mode: shadow
            when: {field: summary, exists: true}
            score: 9
          - id: follow.any
            description: follows are looked at
            types: [Follow]
            when: {field: type, is: Follow}
            action: flag
        """

    let engine: RuleEngine

    init() throws {
        engine = RuleEngine(ruleSet: try loadRules(["r.yaml": Self.rules]))
    }

    @Test func scoresAddUpToTheThresholdAction() throws {
        let accepted = try engine.evaluate(activity: note("<p>hello</p>"))
        #expect(accepted.action == .accept)
        #expect(accepted.hits.isEmpty)
        let flagged = try engine.evaluate(activity: note("<p>casino! free   spins</p>"))
        #expect(flagged.hits.map(\.rule) == ["text.casino", "text.bonus"])
        #expect(flagged.score == 6)
        #expect(flagged.action == .flag)
        let held = try engine.evaluate(activity: note("<p>casino free spins</p>", mentions: 5))
        #expect(held.score == 10)
        #expect(held.action == .hold)
    }

    @Test func explanationsCarrySpansAndExcerpts() throws {
        let verdict = try engine.evaluate(activity: note("<p>Best CASINO in town</p>"))
        let evidence = try #require(verdict.hits.first?.evidence.first)
        #expect(evidence.field == "content")
        let span = try #require(evidence.span)
        #expect(span.form == "folded")
        #expect(span.characterStart == 5)
        #expect(span.characterEnd == 11)
        #expect(span.excerpt == "best [casino] in town")
        let counted = try engine.evaluate(activity: note("<p>hi</p>", mentions: 6))
        #expect(counted.hits.first?.evidence.map(\.detail) == ["mentions.count = 6 (≥ 4)", "is.reply = false (is false)"])
    }

    @Test func forcedActionsFollowTheirPrecedence() throws {
        let rejected = try engine.evaluate(activity: note(#"<p><a href="https://x.bad.example/p">link</a></p>"#))
        #expect(rejected.action == .reject)
        #expect(rejected.hits.first?.evidence.first?.detail == "x.bad.example is under bad.example on the rule's list")
        // Listed domains match whole labels only: a longer name ending in the same letters is another domain.
        for host in ["notbad.example", "bad.example.evil", "bad-example.net"] {
            let other = try engine.evaluate(activity: note(#"<p><a href="https://\#(host)/p">link</a></p>"#))
            #expect(other.action != .reject, "\(host)")
        }
        let exact = try engine.evaluate(activity: note(#"<p><a href="https://bad.example/p">link</a></p>"#))
        #expect(exact.hits.first?.evidence.first?.detail == "bad.example is on the rule's list")
        // A trusted sender is accepted despite a high score…
        let trusted = try engine.evaluate(
            activity: note("<p>casino free spins</p>", mentions: 5, actor: "https://friends.example/users/a"))
        #expect(trusted.score == 10)
        #expect(trusted.action == .accept)
        // …but a forced reject still wins.
        let trustedButBad = try engine.evaluate(
            activity: note(#"<a href="https://bad.example/">x</a>"#, actor: "https://friends.example/users/a"))
        #expect(trustedButBad.action == .reject)
    }

    @Test func shadowHitsAreListedButDoNotCount() throws {
        let verdict = try engine.evaluate(activity: note("<p>hello</p>", summary: "politics"))
        #expect(verdict.action == .accept)
        #expect(verdict.score == 0)
        #expect(verdict.shadowHits.map(\.rule) == ["shadow.summary"])
    }

    @Test func rulesApplyOnlyToTheirTypes() throws {
        let follow = Array(
            #"{"type":"Follow","actor":"https://a.example/users/x","object":"https://social.example/users/alice"}"#.utf8)
        let verdict = try engine.evaluate(activity: follow)
        #expect(verdict.hits.map(\.rule) == ["follow.any"])
        #expect(verdict.action == .flag)
    }

    @Test func anEditIsEvaluatedLikeItsCreate() throws {
        let verdict = try engine.evaluate(activity: note("<p>casino free spins</p>", mentions: 5, type: "Update"))
        #expect(verdict.action == .hold)
    }

    @Test func repliesAreExemptFromTheMentionRule() throws {
        let verdict = try engine.evaluate(activity: note("<p>thread</p>", mentions: 22, reply: true))
        #expect(verdict.hits.isEmpty)
    }

    /// A subject prepared by one engine carries the folded fields that engine's rules read; another engine
    /// evaluating it must not take the missing fields for empty text.
    @Test func aSubjectPreparedByAnotherEngineIsPreparedAgain() throws {
        let folding = RuleEngine(ruleSet: try loadRules(["r.yaml": """
            rules:
              - id: folded-casino
                description: casino in the matching form
                types: [Create]
                when: {regex: 'casino', in: [content]}
                score: 3
            """]))
        let raw = RuleEngine(ruleSet: try loadRules(["r.yaml": """
            rules:
              - id: raw-summary
                description: raw summary
                types: [Create]
                when: {regex: 'CW', in: [summary], form: raw}
                score: 1
            """]))
        let subject = Normalizer.subject(for: try Activity.decode(note("<p>Ｃ４ＳＩＮＯ night</p>")))
        #expect(folding.evaluate(folding.prepare(subject)).hits.map(\.rule) == ["folded-casino"])
        for scanning in [false, true] {
            let preparedElsewhere = raw.prepare(subject, scanning: scanning)
            #expect(folding.evaluate(preparedElsewhere).hits.map(\.rule) == ["folded-casino"])
        }
    }

    @Test func aRegexThatHitsItsLimitIsAnErrorNotANoMatch() throws {
        let rules = """
            policy:
              limits: {match: 2000}
            rules:
              - id: slow
                description: catastrophic
                types: [Create]
                when: {regex: '(?:a|aa){1,150}$'}
                score: 1
              - id: fine
                description: fine
                types: [Create]
                when: {regex: 'aaa'}
                score: 1
            """
        let engine = RuleEngine(ruleSet: try loadRules(["r.yaml": rules]))
        let verdict = try engine.evaluate(activity: note(String(repeating: "a", count: 40) + "!"))
        #expect(verdict.errors.map(\.rule) == ["slow"])
        #expect(verdict.errors.first?.message.contains("match limit") == true)
        #expect(verdict.hits.map(\.rule) == ["fine"])
    }

    @Test func wordsAreWholeWordsButNotInScriptsWithoutSpaces() throws {
        let rules = """
            rules:
              - id: w
                description: words
                types: [Create]
                when: {words: [spam, 荒らし]}
                score: 1
            """
        let engine = RuleEngine(ruleSet: try loadRules(["r.yaml": rules]))
        #expect(try engine.evaluate(activity: note("no spam here")).hits.count == 1)
        #expect(try engine.evaluate(activity: note("spammer")).hits.isEmpty)
        #expect(try engine.evaluate(activity: note("sp\u{200B}am!")).hits.count == 1)
        #expect(try engine.evaluate(activity: note("これは荒らしです")).hits.count == 1)
    }

    @Test func atLeastAndNotCombine() throws {
        let rules = """
            rules:
              - id: two-of-three
                description: combination
                types: [Create]
                when:
                  all:
                    - at_least: 2
                      of:
                        - {regex: 'alpha'}
                        - {regex: 'beta'}
                        - {field: hashtags.count, gte: 2}
                    - not: {regex: 'gamma'}
                score: 1
            """
        let engine = RuleEngine(ruleSet: try loadRules(["r.yaml": rules]))
        #expect(try engine.evaluate(activity: note("alpha beta")).hits.count == 1)
        #expect(try engine.evaluate(activity: note("alpha", hashtags: ["a", "b"])).hits.count == 1)
        #expect(try engine.evaluate(activity: note("alpha")).hits.isEmpty)
        #expect(try engine.evaluate(activity: note("alpha beta gamma")).hits.isEmpty)
    }

    @Test func signalsAreReadThroughTheProtocol() throws {
        let rules = """
            rules:
              - id: burst
                description: many new actors from one domain
                types: [Create]
                when: {field: domain.new_actors_1h, gte: 20}
                score: 8
            """
        let engine = RuleEngine(ruleSet: try loadRules(["r.yaml": rules]))
        let quiet = try engine.evaluate(activity: note("hi"), signals: InMemorySignals(["domain.new_actors_1h": 3]))
        let burst = try engine.evaluate(activity: note("hi"), signals: InMemorySignals(["domain.new_actors_1h": 40]))
        let unknown = try engine.evaluate(activity: note("hi"))
        #expect(quiet.action == .accept)
        #expect(burst.action == .hold)
        #expect(burst.hits.first?.evidence.first?.detail == "domain.new_actors_1h = 40 (≥ 20)")
        #expect(unknown.hits.isEmpty)
    }
}
