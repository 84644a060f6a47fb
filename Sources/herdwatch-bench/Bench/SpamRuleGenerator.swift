import ActivityPub
import Harness
import Matching
import RuleEngine

/// Generates a deterministic set of realistic spam rules: phrases, calls to action, scam links, messenger
/// contacts, word lists, obfuscated words and character-class runs, mostly case-insensitive.
///
/// Host names, digits and separators use ASCII classes (`[a-z0-9]`, `[0-9]`), as careful rule authors write
/// them: under UCP, Hyperscan needs about a second to compile each `\w{2,8}` or `\W*` pattern, which made a
/// 1,000-rule engine take over ten minutes to build.
struct SpamRuleGenerator {
    enum Kind: String, CaseIterable, Sendable {
        case phrase
        case callToAction = "call-to-action"
        case easyMoney = "easy-money"
        case link
        case shortener
        case contact
        case wordList = "word-list"
        case unspaced
        case obfuscated
        case shouting
        case punctuation
        case emoji
        case wallet
        case mixedScript = "mixed-script"

        /// Share of the rule set, in percent.
        var weight: Int {
            switch self {
            case .phrase: 25
            case .link: 15
            case .callToAction, .easyMoney: 10
            case .contact, .wordList: 8
            case .obfuscated: 6
            case .shortener, .unspaced: 5
            case .shouting, .emoji, .wallet: 2
            case .punctuation, .mixedScript: 1
            }
        }
    }

    /// A generated rule with text a spammer would write that it matches.
    struct Generated {
        var rule: Rule
        var kind: Kind
        var example: String
    }

    private struct Draft {
        var source: String
        var options: PatternOptions = .caseless
        var form: TextForm = .folded
        var example: String
    }

    static let seed: UInt64 = 0x4865_7264_7761_7463

    private var random = SplitMix64(seed: Self.seed)

    /// `count` distinct rules; the same for every run.
    mutating func rules(count: Int) throws(MatchingError) -> [Generated] {
        var generated: [Generated] = []
        var seen: Set<String> = []
        let kinds = Kind.allCases.flatMap { Array(repeating: $0, count: $0.weight) }
        while generated.count < count {
            let kind = kinds.randomElement(using: &random)!
            let draft = self.draft(kind)
            guard seen.insert(draft.source).inserted else { continue }
            let number = generated.count + 1
            let condition = Condition.text(
                TextCondition(
                    kind: .regex, pattern: try Pattern(draft.source, options: draft.options),
                    fields: [.content, .summary], form: draft.form))
            let shadow = Int.random(in: 0..<100, using: &random) < 3
            let rule = Rule(
                id: "bench-\(kind.rawValue)-\(number)", description: "Generated \(kind.rawValue) rule \(number)",
                types: ["Create"], condition: condition, score: score(kind), action: action(kind), tags: [kind.rawValue],
                mode: shadow ? .shadow : .enforce, examples: [],
                location: SourceLocation(file: "bench/generated.yaml", line: number, column: 1))
            generated.append(Generated(rule: rule, kind: kind, example: draft.example))
        }
        return generated
    }

    private mutating func score(_ kind: Kind) -> Double {
        switch kind {
        case .wallet, .contact: Double(Int.random(in: 4...8, using: &random))
        case .shouting, .punctuation, .emoji, .mixedScript: Double(Int.random(in: 1...2, using: &random))
        default: Double(Int.random(in: 2...6, using: &random))
        }
    }

    private mutating func action(_ kind: Kind) -> RuleAction? {
        switch kind {
        case .wallet: .reject
        case .link where Int.random(in: 0..<10, using: &random) == 0: .hold
        default: nil
        }
    }

    private mutating func draft(_ kind: Kind) -> Draft {
        typealias V = SpamVocabulary
        switch kind {
        case .phrase:
            let lures = pick(V.lures, 1...3)
            let goods = pick(V.goods, 1...3)
            return Draft(
                source: #"\b(?:\#(alternation(lures))\s+(?:\#(goods.joined(separator: "|"))))\b"#,
                example: "\(lures[0]) \(written(goods[0]))")
        case .callToAction:
            let calls = pick(V.calls, 1...2)
            let goods = pick(V.goods, 1...3)
            return Draft(
                source: #"\b(?:\#(alternation(calls)))\b.{0,40}?\b(?:\#(goods.joined(separator: "|")))\b"#,
                example: "\(calls[0]) for \(written(goods[0]))")
        case .easyMoney:
            let gains = pick(V.gains, 1...3)
            let periods = pick(V.periods, 2...4)
            return Draft(
                source: #"\b(?:\#(alternation(gains)))\s+(?:up\s+to\s+)?[$€£]?\s?[0-9]{2,6}(?:[.,][0-9]{3})?\s?"#
                    + #"(?:[$€£]|usd|eur|euros?|dollars?)?\s*(?:per|a|an|each|/|pro|par|por|al|в|na)\s*"#
                    + #"(?:\#(periods.joined(separator: "|")))\b"#,
                form: .raw, example: "\(gains[0]) $500 per \(periods[0])")
        case .link:
            let brands = pick(V.brands, 1...3)
            let domains = pick(V.topLevelDomains, 1...4)
            return Draft(
                source: #"https?://(?:www\.)?(?:\#(brands.joined(separator: "|")))-?[a-z0-9]{2,8}\.(?:\#(domains.joined(separator: "|")))\b"#,
                example: "https://www.\(brands[0])-vegas.\(domains[0])/welcome")
        case .shortener:
            let shorteners = pick(V.shorteners, 1...3)
            let length = Int.random(in: 3...6, using: &random)
            return Draft(
                source: #"\b(?:\#(shorteners.joined(separator: "|")))/[a-z0-9_-]{\#(length),12}"#,
                example: "https://\(shorteners[0].filter { $0 != "\\" })/xKp7Qz2Wm")
        case .contact:
            let messengers = pick(V.messengers.map(\.regex), 1...3)
            let written = V.messengers.first { $0.regex == messengers[0] }!.written
            let digits = Int.random(in: 6...9, using: &random)
            return Draft(
                source: #"\b(?:\#(messengers.joined(separator: "|")))\b\s*[:+]?\s*\+?[0-9][0-9 -]{\#(digits),16}[0-9]"#,
                form: .raw, example: "\(written): +49 157 1234 5678")
        case .wordList:
            let goods = pick(V.goods, 3...6)
            return Draft(
                source: #"\b(?:\#(goods.joined(separator: "|")))\b"#, example: written(goods[0]))
        case .unspaced:
            let words = pick(V.unspaced, 1...3)
            return Draft(source: "(?:\(words.joined(separator: "|")))", example: words[0])
        case .obfuscated:
            let word = pick(V.goods.filter { !$0.contains("?") && !$0.contains(" ") }, 1...1)[0]
            let separator = [#"[^a-z0-9]*"#, #"[^a-z0-9]?"#, #"[\s.*_-]*"#].randomElement(using: &random)!
            let leet: [Character: String] = ["a": "[a4@]", "e": "[e3]", "i": "[i1!|]", "o": "[o0]", "s": "[s5$]", "t": "[t7]"]
            return Draft(
                source: word.map { leet[$0] ?? String($0) }.joined(separator: separator), form: .raw,
                example: word.map(String.init).joined(separator: "."))
        case .shouting:
            let length = Int.random(in: 12...40, using: &random)
            let words = Int.random(in: 4...9, using: &random)
            return Bool.random(using: &random)
                ? Draft(
                    source: "[A-Z]{\(length),}", options: [], form: .raw,
                    example: String(String(repeating: "FREEMONEYNOW", count: 4).prefix(length)))
                : Draft(
                    source: #"(?:\b[A-Z]{3,}\b[\s!.,]+){\#(words),}"#, options: [], form: .raw,
                    example: String(repeating: "BUY NOW! ", count: words))
        case .punctuation:
            let length = Int.random(in: 3...12, using: &random)
            return Bool.random(using: &random)
                ? Draft(source: "[!?]{\(length),}", form: .raw, example: String(repeating: "!", count: length))
                : Draft(source: #"([!?.*$])\1{\#(length),}"#, form: .raw, example: String(repeating: "$", count: length + 1))
        case .emoji:
            let length = Int.random(in: 3...9, using: &random)
            return Bool.random(using: &random)
                ? Draft(source: "\(V.moneyEmoji){\(length),}", form: .raw, example: String(repeating: "💰", count: length))
                : Draft(source: #"(?:\#(V.moneyEmoji)\s*){\#(length),}"#, form: .raw, example: String(repeating: "🚀 ", count: length))
        case .wallet:
            let words = pick(V.payments, 1...3)
            return Bool.random(using: &random)
                ? Draft(
                    source: #"\b(?:\#(alternation(words)))[\s:=-]{0,3}(?:bc1|[13])[a-km-zA-HJ-NP-Z1-9]{25,39}\b"#, form: .raw,
                    example: "\(words[0]): 1BoatSLRHtKNngkdXEeobR76b53LETtpyT")
                : Draft(
                    source: #"\b(?:\#(alternation(words)))[\s:=-]{0,3}0x[0-9a-f]{40}\b"#, form: .raw,
                    example: "\(words[0]): 0x" + String(repeating: "7fa3c0de", count: 5))
        case .mixedScript:
            // A script and one of its letters that looks like a Latin one.
            let scripts = [("Cyrillic", "а"), ("Greek", "ο"), ("Armenian", "օ"), ("Cherokee", "Ꭺ")]
            let (script, lookalike) = scripts.randomElement(using: &random)!
            let run = Int.random(in: 1...3, using: &random)
            return Draft(
                source: #"\b\p{Latin}{\#(run),}\p{\#(script)}|\p{\#(script)}\p{Latin}{\#(run),}"#, form: .raw,
                example: "pay\(lookalike)l")
        }
    }

    /// `range` distinct elements of `list`, in random order.
    private mutating func pick<Element>(_ list: [Element], _ range: ClosedRange<Int>) -> [Element] {
        Array(list.shuffled(using: &random).prefix(Int.random(in: range, using: &random)))
    }

    /// Plain words as a regex alternation body; spaces match any run of white space.
    private func alternation(_ words: [String]) -> String {
        words.map { $0.split(separator: " ").joined(separator: #"\s+"#) }.joined(separator: "|")
    }

    /// A vocabulary fragment (which may have optional letters, `nfts?`) as a spammer writes it.
    private func written(_ fragment: String) -> String {
        fragment.filter { $0 != "?" }
    }
}
