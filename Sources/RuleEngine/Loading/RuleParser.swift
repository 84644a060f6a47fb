import ActivityPub
import Foundation
import Matching
import Yams

/// Parses rule mappings and their conditions, reporting problems through its reader.
struct RuleParser {
    var reader: YAMLReader
    let limits: MatchLimits
    let baseURL: URL
    let root: URL
    let directory: String
    /// List files read while parsing, for the rule-set hash.
    var listFiles: [(URL, Data)] = []

    static let conditionKinds = ["regex", "words", "words_file", "domains", "domains_file", "field", "all", "any", "not", "at_least"]
    static let comparisonKeys = ["gte", "gt", "lte", "lt", "eq", "is", "contains", "exists"]
    /// Text fields read when a text condition names none: everything a post says.
    static let postFields: [TextField] = [.content, .summary, .name, .alt, .poll]

    init(reader: YAMLReader, limits: MatchLimits, baseURL: URL, root: URL, directory: String) {
        self.reader = reader
        self.limits = limits
        self.baseURL = baseURL
        self.root = root
        self.directory = directory
    }

    mutating func parseRule(_ node: Node) -> Rule? {
        guard let pairs = reader.pairs(node, what: "a rule") else { return nil }
        reader.checkKeys(pairs, allowed: RuleSetLoader.ruleKeys, in: "a rule")
        func value(_ key: String) -> Node? { pairs.first { $0.key == key }?.value }
        let errorsBefore = reader.diagnostics.count

        guard let idNode = value("id"), let id = reader.string(idNode, what: "`id`"), !id.isEmpty else {
            reader.error(node, "a rule needs an `id`", hint: "add `id: spam.short-name` (letters, digits, . - _)")
            return nil
        }
        if id.contains(where: { !($0.isLetter || $0.isNumber || "._-".contains($0)) }) {
            reader.error(idNode, "rule id `\(id)` has characters other than letters, digits, `.`, `-`, `_`")
        }
        var description = ""
        if let node = value("description") {
            description = reader.string(node, what: "`description`") ?? ""
        } else {
            reader.error(node, "rule `\(id)` needs a `description`", hint: "say in one line what it catches and why")
        }
        var types: Set<String> = []
        if let node = value("types") {
            let names = reader.strings(node, what: "`types`") ?? []
            if names.isEmpty { reader.error(node, "`types` is empty", hint: "list activity types, e.g. [Create], or [any]") }
            types = names.contains("any") ? [] : Set(names)
        } else {
            reader.error(node, "rule `\(id)` needs `types`", hint: "e.g. `types: [Create]` (edits and embedded boosts count as Create), or `[any]`")
        }
        var condition: Condition?
        if let node = value("when") {
            condition = parseCondition(node)
        } else {
            reader.error(node, "rule `\(id)` needs a `when` condition", hint: "e.g. `when: {regex: 'casino', in: content}`")
        }
        var score = 0.0
        if let node = value("score") { score = reader.number(node, what: "`score`") ?? 0 }
        var action: RuleAction?
        if let node = value("action"), let name = reader.string(node, what: "`action`") {
            action = RuleAction(rawValue: name)
            if action == nil {
                reader.error(node, "unknown action `\(name)`", hint: "use accept, flag, hold or reject")
            }
        }
        if value("score") == nil, value("action") == nil {
            reader.error(node, "rule `\(id)` has neither `score` nor `action`", hint: "give it a score (e.g. `score: 3`) or an action")
        }
        var mode = RuleMode.enforce
        if let node = value("mode"), let name = reader.string(node, what: "`mode`") {
            if let parsed = RuleMode(rawValue: name) {
                mode = parsed
            } else {
                reader.error(node, "unknown mode `\(name)`", hint: "use `enforce` (the default) or `shadow` (record hits only)")
            }
        }
        let tags = value("tags").flatMap { reader.strings($0, what: "`tags`") } ?? []
        let examples = value("examples").map { parseExamples($0) } ?? []
        let labels = value("labels").map { parseLabels($0) } ?? []
        guard reader.diagnostics.count == errorsBefore || !reader.diagnostics[errorsBefore...].contains(where: { $0.severity == .error }),
            let condition
        else { return nil }
        return Rule(
            id: id, description: description, types: types, condition: condition, score: score, action: action,
            tags: tags, mode: mode, examples: examples, labels: labels, location: reader.location(node))
    }

    mutating func parseCondition(_ node: Node) -> Condition? {
        guard let pairs = reader.pairs(node, what: "a condition") else { return nil }
        let kinds = pairs.filter { Self.conditionKinds.contains($0.key) }
        guard kinds.count == 1, let kind = kinds.first else {
            if kinds.isEmpty {
                reader.checkKeys(pairs, allowed: Self.conditionKinds, in: "a condition")
                reader.error(node, "a condition needs one of: " + Self.conditionKinds.joined(separator: ", "))
            } else {
                reader.error(
                    kinds[1].keyNode, "a condition has exactly one kind, found " + kinds.map { "`\($0.key)`" }.joined(separator: " and "),
                    hint: "combine several with `all:` or `any:`")
            }
            return nil
        }
        func value(_ key: String) -> Node? { pairs.first { $0.key == key }?.value }
        switch kind.key {
        case "regex":
            reader.checkKeys(pairs, allowed: ["regex", "in", "flags", "form"], in: "a regex condition")
            guard let source = reader.string(kind.value, what: "`regex`") else { return nil }
            var options: PatternOptions = []
            if let flagsNode = value("flags"), let flags = reader.string(flagsNode, what: "`flags`") {
                do {
                    options = try PatternOptions(flags: flags)
                } catch {
                    reader.error(flagsNode, error.description)
                }
            }
            guard let fields = parseTextFields(value("in")), let form = parseForm(value("form")) else { return nil }
            do {
                let pattern = try Pattern(source, options: options, limits: limits)
                if let bound = PatternSet.largestRepeatBound(in: source), bound > PatternSet.maximumPrefilterRepeat {
                    reader.warning(
                        kind.value, "repeat bound {\(bound)} keeps this regex out of the prefilter: it runs on every activity",
                        hint: "use a smaller bound (≤ \(PatternSet.maximumPrefilterRepeat)) or `+`/`*`")
                }
                return .text(TextCondition(kind: .regex, pattern: pattern, fields: fields, form: form))
            } catch {
                reader.error(
                    kind.value, "regex does not compile: \(error.message)" + (error.offset.map { " at offset \($0)" } ?? ""),
                    hint: "check the pattern; in YAML, single-quote it so backslashes stay as written")
                return nil
            }
        case "words", "words_file":
            reader.checkKeys(pairs, allowed: ["words", "words_file", "in", "form"], in: "a words condition")
            guard let words = listEntries(kind, what: "words"), let fields = parseTextFields(value("in")),
                let form = parseForm(value("form"))
            else { return nil }
            if words.isEmpty {
                reader.error(kind.value, "the word list is empty")
                return nil
            }
            let folded = form == .folded ? words.map(TextFolding.matchingForm) : words
            do {
                let pattern = try Pattern(WordPattern.source(for: folded), options: .caseless, limits: limits)
                return .text(TextCondition(kind: .words, pattern: pattern, fields: fields, form: form))
            } catch {
                reader.error(kind.value, "word list does not compile: \(error.message)")
                return nil
            }
        case "domains", "domains_file":
            reader.checkKeys(pairs, allowed: ["domains", "domains_file", "in"], in: "a domains condition")
            guard let entries = listEntries(kind, what: "domains") else { return nil }
            var target = DomainCondition.Target.links
            if let node = value("in"), let name = reader.string(node, what: "`in`") {
                guard let parsed = DomainCondition.Target(rawValue: name) else {
                    reader.error(node, "domains are matched `in: links`, `in: actor` or `in: mentions`, not `\(name)`")
                    return nil
                }
                target = parsed
            }
            var domains: Set<String> = []
            for entry in entries {
                let trimmed = entry.hasPrefix("*.") ? String(entry.dropFirst(2)) : entry
                guard let host = Hostname.normalize(trimmed) else {
                    reader.error(kind.value, "`\(entry)` is not a domain name")
                    continue
                }
                domains.insert(host)
            }
            let listName = kind.key == "domains_file" ? (kind.value.scalar?.string ?? "list") : "the rule's list"
            return .domains(DomainCondition(domains: domains, target: target, listName: listName))
        case "field":
            reader.checkKeys(pairs, allowed: ["field"] + Self.comparisonKeys, in: "a field condition")
            guard let name = reader.string(kind.value, what: "`field`") else { return nil }
            if !SubjectFieldCatalog.names.contains(name), !SignalCatalog.isSignal(name) {
                let known = SubjectFieldCatalog.names.union(SignalCatalog.names)
                let nearest = known.min { editDistance($0, name) < editDistance($1, name) } ?? ""
                reader.error(kind.value, "unknown field `\(name)`", hint: "did you mean `\(nearest)`? (docs/rules.md lists every field and signal)")
                return nil
            }
            var comparisons: [FieldCondition.Comparison] = []
            for pair in pairs where pair.key != "field" {
                switch pair.key {
                case "gte", "gt", "lte", "lt":
                    guard let number = reader.number(pair.value, what: "`\(pair.key)`") else { continue }
                    comparisons.append(
                        ["gte": .greaterOrEqual(number), "gt": .greater(number), "lte": .lessOrEqual(number), "lt": .less(number)][
                            pair.key]!)
                case "eq":
                    guard let value = reader.fieldValue(pair.value) else {
                        reader.error(pair.value, "`eq` takes a single value")
                        continue
                    }
                    comparisons.append(.equal(value))
                case "is":
                    let values = pair.value.sequence.map { $0.compactMap(reader.fieldValue) } ?? reader.fieldValue(pair.value).map { [$0] }
                    guard let values, !values.isEmpty else {
                        reader.error(pair.value, "`is` takes a value or a list of values")
                        continue
                    }
                    comparisons.append(.isOneOf(values))
                case "contains":
                    guard let text = reader.string(pair.value, what: "`contains`") else { continue }
                    comparisons.append(.contains(text))
                case "exists":
                    guard case .bool(let wanted) = reader.fieldValue(pair.value) else {
                        reader.error(pair.value, "`exists` takes true or false")
                        continue
                    }
                    comparisons.append(.exists(wanted))
                default:
                    break
                }
            }
            if comparisons.isEmpty {
                reader.error(kind.value, "field `\(name)` is not compared with anything", hint: "add e.g. `gte: 4`, `is: public` or `exists: true`")
                return nil
            }
            return .field(FieldCondition(name: name, comparisons: comparisons))
        case "all", "any":
            reader.checkKeys(pairs, allowed: [kind.key], in: "an `\(kind.key)` condition")
            guard let children = parseConditionList(kind.value, what: "`\(kind.key)`") else { return nil }
            return kind.key == "all" ? .all(children) : .any(children)
        case "not":
            reader.checkKeys(pairs, allowed: ["not"], in: "a `not` condition")
            return parseCondition(kind.value).map { .not($0) }
        case "at_least":
            reader.checkKeys(pairs, allowed: ["at_least", "of"], in: "an `at_least` condition")
            guard let count = reader.number(kind.value, what: "`at_least`") else { return nil }
            guard let ofNode = value("of") else {
                reader.error(kind.value, "`at_least` needs `of:` with a list of conditions")
                return nil
            }
            guard let children = parseConditionList(ofNode, what: "`of`") else { return nil }
            guard count >= 1, count == count.rounded(), Int(count) <= children.count else {
                reader.error(kind.value, "`at_least: \(FieldValue.number(count))` cannot be met by \(children.count) condition(s)",
                    hint: "use a whole number from 1 to \(children.count)")
                return nil
            }
            return .atLeast(Int(count), children)
        default:
            return nil
        }
    }

    private mutating func parseConditionList(_ node: Node, what: String) -> [Condition]? {
        guard let sequence = node.sequence, !sequence.isEmpty else {
            reader.error(node, "\(what) takes a non-empty list of conditions", hint: "start each with `- `")
            return nil
        }
        var children: [Condition] = []
        var failed = false
        for item in sequence {
            if let child = parseCondition(item) { children.append(child) } else { failed = true }
        }
        return failed ? nil : children
    }

    private mutating func parseTextFields(_ node: Node?) -> [TextField]? {
        guard let node else { return Self.postFields }
        guard let names = reader.strings(node, what: "`in`") else { return nil }
        var fields: [TextField] = []
        for name in names {
            if name == "post" {
                fields += Self.postFields
            } else if let field = TextField(rawValue: name) {
                fields.append(field)
            } else {
                let known = ["post"] + TextField.allCases.map(\.rawValue)
                let nearest = known.min { editDistance($0, name) < editDistance($1, name) } ?? ""
                reader.error(node, "unknown text field `\(name)`", hint: "did you mean `\(nearest)`? text fields: " + known.joined(separator: ", "))
                return nil
            }
        }
        var seen: Set<TextField> = []
        return fields.filter { seen.insert($0).inserted }
    }

    private mutating func parseForm(_ node: Node?) -> TextForm? {
        guard let node else { return .folded }
        guard let name = reader.string(node, what: "`form`"), let form = TextForm(rawValue: name) else {
            reader.error(node, "`form` is `folded` (the default: case, width, invisible characters, look-alikes folded) or `raw`")
            return nil
        }
        return form
    }

    /// Entries of an inline list or of a list file (one per line, `#` comments).
    private mutating func listEntries(_ kind: (key: String, keyNode: Node, value: Node), what: String) -> [String]? {
        if !kind.key.hasSuffix("_file") {
            return reader.strings(kind.value, what: "`\(kind.key)`")?.map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
        guard let path = reader.string(kind.value, what: "`\(kind.key)`") else { return nil }
        let url = URL(fileURLWithPath: path, relativeTo: baseURL).standardizedFileURL
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            reader.error(kind.value, "cannot read \(what) file `\(path)`", hint: "paths are relative to this rule file's folder")
            return nil
        }
        listFiles.append((url, data))
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let trimmed = content.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? nil : trimmed
        }
    }

    /// `labels: [{name: wave-2024, on: actor, for_hours: 48}]`
    private mutating func parseLabels(_ node: Node) -> [RuleLabel] {
        guard let items = node.sequence else {
            reader.error(node, "`labels` takes a list, e.g. `[{name: wave, on: actor, for_hours: 48}]`")
            return []
        }
        var labels: [RuleLabel] = []
        for item in items {
            guard let pairs = reader.pairs(item, what: "a label") else { continue }
            reader.checkKeys(pairs, allowed: ["name", "on", "for_hours"], in: "a label")
            func value(_ key: String) -> Node? { pairs.first { $0.key == key }?.value }
            guard let nameNode = value("name"), let name = reader.string(nameNode, what: "`name`"),
                !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_".contains($0) })
            else {
                reader.error(item, "a label needs a `name` of letters, digits, - and _")
                continue
            }
            var scope = RuleLabel.Scope.actor
            if let node = value("on"), let text = reader.string(node, what: "`on`") {
                guard let parsed = RuleLabel.Scope(rawValue: text) else {
                    reader.error(node, "labels go `on: actor` or `on: domain`, not `\(text)`")
                    continue
                }
                scope = parsed
            }
            let hours = value("for_hours").flatMap { reader.number($0, what: "`for_hours`") }
            labels.append(RuleLabel(scope: scope, name: name, hours: hours))
        }
        return labels
    }

    private mutating func parseExamples(_ node: Node) -> [RuleExample] {
        guard let pairs = reader.pairs(node, what: "`examples`") else { return [] }
        reader.checkKeys(pairs, allowed: ["match", "no_match"], in: "`examples`")
        var examples: [RuleExample] = []
        for pair in pairs where pair.key == "match" || pair.key == "no_match" {
            guard let items = pair.value.sequence else {
                reader.error(pair.value, "`\(pair.key)` takes a list of examples")
                continue
            }
            for item in items {
                if let example = parseExample(item, shouldMatch: pair.key == "match") { examples.append(example) }
            }
        }
        return examples
    }

    private mutating func parseExample(_ node: Node, shouldMatch: Bool) -> RuleExample? {
        let location = reader.location(node)
        if let text = node.scalar?.string {
            return RuleExample(shouldMatch: shouldMatch, input: .text(text, field: .content), signals: [:], location: location)
        }
        guard let pairs = reader.pairs(node, what: "an example") else { return nil }
        reader.checkKeys(pairs, allowed: ["text", "in", "activity", "file", "actor", "actor_file", "signals"], in: "an example")
        func value(_ key: String) -> Node? { pairs.first { $0.key == key }?.value }
        var signals: [String: Double] = [:]
        if let node = value("signals"), let entries = reader.pairs(node, what: "`signals`") {
            for entry in entries {
                if !SignalCatalog.isSignal(entry.key) {
                    reader.error(entry.keyNode, "unknown signal `\(entry.key)`", hint: "docs/rules.md lists every signal")
                }
                if let number = reader.number(entry.value, what: "a signal value") { signals[entry.key] = number }
            }
        }
        if let textNode = value("text"), let text = reader.string(textNode, what: "`text`") {
            var field = TextField.content
            if let node = value("in"), let name = reader.string(node, what: "`in`") {
                guard let parsed = TextField(rawValue: name) else {
                    reader.error(node, "unknown text field `\(name)`")
                    return nil
                }
                field = parsed
            }
            return RuleExample(shouldMatch: shouldMatch, input: .text(text, field: field), signals: signals, location: location)
        }
        var activity: [UInt8]?
        if let node = value("activity") {
            activity = Array(YAMLToJSON.encode(node).utf8)
        } else if let node = value("file"), let path = reader.string(node, what: "`file`") {
            activity = readExampleFile(path, node: node)
        }
        guard let activity else {
            reader.error(node, "an example needs `text`, `activity` or `file`")
            return nil
        }
        var actor: [UInt8]?
        if let node = value("actor") {
            actor = Array(YAMLToJSON.encode(node).utf8)
        } else if let node = value("actor_file"), let path = reader.string(node, what: "`actor_file`") {
            actor = readExampleFile(path, node: node)
        }
        return RuleExample(shouldMatch: shouldMatch, input: .activity(bytes: activity, actor: actor), signals: signals, location: location)
    }

    private mutating func readExampleFile(_ path: String, node: Node) -> [UInt8]? {
        let url = URL(fileURLWithPath: path, relativeTo: baseURL).standardizedFileURL
        guard let data = FileManager.default.contents(atPath: url.path) else {
            reader.error(node, "cannot read example file `\(path)`", hint: "paths are relative to this rule file's folder")
            return nil
        }
        return Array(data)
    }
}

/// Builds the PCRE2 source for a literal word list, whole-word aware also for scripts without spaces.
enum WordPattern {
    static func source(for words: [String]) -> String {
        let alternatives = words.sorted { $0.utf8.count > $1.utf8.count }.map { word -> String in
            var source = ""
            // A word boundary only makes sense next to letters of scripts that separate words with spaces.
            if let first = word.unicodeScalars.first, needsBoundary(first) { source += #"(?<![\p{L}\p{N}_])"# }
            source += escape(word)
            if let last = word.unicodeScalars.last, needsBoundary(last) { source += #"(?![\p{L}\p{N}_])"# }
            return source
        }
        return "(?:" + alternatives.joined(separator: "|") + ")"
    }

    static func needsBoundary(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "_" else { return false }
        switch scalar.value {
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0xFF66...0xFF9F, 0x20000...0x2FFFF,
            0xAC00...0xD7AF, 0x1100...0x11FF, 0x0E00...0x0E7F, 0x0E80...0x0EFF, 0x1000...0x109F, 0x1780...0x17FF:
            // Han, kana, Hangul (particles attach to words), Thai, Lao, Myanmar, Khmer: no spaces between words.
            return false
        default:
            return true
        }
    }

    static func escape(_ word: String) -> String {
        var escaped = ""
        for scalar in word.unicodeScalars {
            if "\\^$.|?*+()[]{}-/#".unicodeScalars.contains(scalar) { escaped += "\\" }
            if scalar.properties.isWhitespace {
                escaped += #"\s+"#
                continue
            }
            escaped.unicodeScalars.append(scalar)
        }
        return escaped
    }
}
