import ActivityPub
import Crypto
import Foundation
import Matching
import Yams

/// Reads a rule directory into a `RuleSet`, collecting every problem with its file, line and column.
struct RuleSetLoader {
    var limitsOverride: MatchLimits?

    struct Result {
        var ruleSet: RuleSet?
        var diagnostics: [RuleDiagnostic]
    }

    static let ruleKeys = ["id", "description", "types", "when", "score", "action", "tags", "mode", "examples", "labels"]
    static let fileKeys = ["rules", "policy"]
    static let policyKeys = ["thresholds", "limits"]

    func load(directory: String) -> Result {
        var diagnostics: [RuleDiagnostic] = []
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            let location = SourceLocation(file: directory, line: 1, column: 1)
            return Result(
                ruleSet: nil,
                diagnostics: [
                    RuleDiagnostic(
                        .error, at: location, "rule directory not found",
                        hint: "pass an existing directory with --rules, e.g. --rules Rules")
                ])
        }
        let files = Self.ruleFiles(in: root)
        if files.isEmpty {
            diagnostics.append(
                RuleDiagnostic(
                    .warning, at: SourceLocation(file: directory, line: 1, column: 1),
                    "no .yaml rule files in this directory", hint: "every activity will be accepted"))
        }
        var hasher = SHA256()
        var documents: [(path: String, url: URL, node: Node)] = []
        for url in files {
            let display = Self.displayPath(url, root: root, directory: directory)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                diagnostics.append(RuleDiagnostic(.error, at: SourceLocation(file: display, line: 1, column: 1), "cannot read file"))
                continue
            }
            // The hash covers paths relative to the rule directory, so a copy elsewhere has the same version.
            hasher.update(data: Data(Self.relativePath(url, root: root).utf8))
            hasher.update(data: data)
            guard let text = String(data: data, encoding: .utf8) else {
                diagnostics.append(
                    RuleDiagnostic(
                        .error, at: SourceLocation(file: display, line: 1, column: 1), "file is not valid UTF-8",
                        hint: "save it as UTF-8"))
                continue
            }
            do {
                if let node = try Yams.compose(yaml: text) {
                    documents.append((display, url, node))
                }
            } catch {
                diagnostics.append(Self.diagnostic(for: error, file: display))
            }
        }

        // Policy first: its limits apply to every pattern.
        var policy = Policy.default
        var limits = MatchLimits.default
        var policySeenAt: SourceLocation?
        for document in documents {
            var reader = YAMLReader(file: document.path)
            guard let pairs = reader.pairs(document.node, what: "a rule file") else {
                diagnostics += reader.diagnostics
                continue
            }
            reader.checkKeys(pairs, allowed: Self.fileKeys, in: "a rule file")
            if let policyNode = pairs.first(where: { $0.key == "policy" }) {
                if let earlier = policySeenAt {
                    reader.error(policyNode.keyNode, "a second `policy` block", hint: "the first one is at \(earlier); keep one")
                } else {
                    policySeenAt = reader.location(policyNode.keyNode)
                    Self.parsePolicy(policyNode.value, reader: &reader, policy: &policy, limits: &limits)
                }
            }
            diagnostics += reader.diagnostics
        }
        if let limitsOverride { limits = limitsOverride }

        var rules: [Rule] = []
        var seenIDs: [String: SourceLocation] = [:]
        var usedFiles: Set<String> = []
        for document in documents {
            var parser = RuleParser(
                reader: YAMLReader(file: document.path), limits: limits, baseURL: document.url.deletingLastPathComponent(),
                root: root, directory: directory)
            guard let pairs = document.node.mapping.map({ $0.map { ($0.key.scalar?.string ?? "", $0.key, $0.value) } }),
                let rulesNode = pairs.first(where: { $0.0 == "rules" })?.2
            else { continue }
            guard let sequence = rulesNode.sequence else {
                parser.reader.error(rulesNode, "`rules` must be a list", hint: "start each rule with `- id: …`")
                diagnostics += parser.reader.diagnostics
                continue
            }
            for ruleNode in sequence {
                guard let rule = parser.parseRule(ruleNode) else { continue }
                if let earlier = seenIDs[rule.id] {
                    parser.reader.diagnostics.append(
                        RuleDiagnostic(
                            .error, at: rule.location, "duplicate rule id `\(rule.id)`",
                            hint: "it is already used at \(earlier); ids must be unique"))
                    continue
                }
                seenIDs[rule.id] = rule.location
                rules.append(rule)
            }
            for (path, data) in parser.listFiles.map({ (Self.relativePath($0.0, root: root), $0.1) })
            where !usedFiles.contains(path) {
                usedFiles.insert(path)
                hasher.update(data: Data(path.utf8))
                hasher.update(data: data)
            }
            diagnostics += parser.reader.diagnostics
        }

        diagnostics += Self.checkPolicy(policy, rules: rules, at: policySeenAt ?? SourceLocation(file: directory, line: 1, column: 1))
        diagnostics.sort { $0.location < $1.location }
        if diagnostics.contains(where: { $0.severity == .error }) {
            return Result(ruleSet: nil, diagnostics: diagnostics)
        }
        let version = hasher.finalize().map { String(format: "%02x", $0) }.joined().prefix(16)
        let ruleSet = RuleSet(rules: rules, policy: policy, version: String(version), warnings: diagnostics)
        return Result(ruleSet: ruleSet, diagnostics: diagnostics)
    }

    static func ruleFiles(in root: URL) -> [URL] {
        guard
            let enumerator = FileManager.default.enumerator(
                at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { return [] }
        var files: [URL] = []
        for case let url as URL in enumerator where ["yaml", "yml"].contains(url.pathExtension.lowercased()) {
            files.append(url.standardizedFileURL)
        }
        return files.sorted { $0.path < $1.path }
    }

    static func displayPath(_ url: URL, root: URL, directory: String) -> String {
        (directory as NSString).appendingPathComponent(relativePath(url, root: root))
    }

    static func relativePath(_ url: URL, root: URL) -> String {
        url.path.hasPrefix(root.path + "/") ? String(url.path.dropFirst(root.path.count + 1)) : url.path
    }

    static func diagnostic(for error: any Error, file: String) -> RuleDiagnostic {
        if let yamlError = error as? YamlError {
            switch yamlError {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
                .composer(_, let problem, let mark, _):
                return RuleDiagnostic(
                    .error, at: SourceLocation(file: file, line: mark.line, column: mark.column), "invalid YAML: \(problem)",
                    hint: "check indentation and quoting on this line; quote regexes with single quotes")
            case .duplicatedKeysInMapping(let duplicates, let context):
                return RuleDiagnostic(
                    .error, at: SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                    "duplicate key(s) \(duplicates.joined(separator: ", ")) in one mapping", hint: "keep one of each")
            default:
                break
            }
        }
        return RuleDiagnostic(.error, at: SourceLocation(file: file, line: 1, column: 1), "invalid YAML: \(error)")
    }

    static func parsePolicy(_ node: Node, reader: inout YAMLReader, policy: inout Policy, limits: inout MatchLimits) {
        guard let pairs = reader.pairs(node, what: "`policy`") else { return }
        reader.checkKeys(pairs, allowed: policyKeys, in: "`policy`")
        for pair in pairs {
            switch pair.key {
            case "thresholds":
                guard let thresholds = reader.pairs(pair.value, what: "`thresholds`") else { continue }
                reader.checkKeys(thresholds, allowed: ["flag", "hold", "reject"], in: "`thresholds`")
                policy = Policy(flag: nil, hold: nil, reject: nil)
                for threshold in thresholds {
                    let value = threshold.value.scalar?.string == "off" ? nil : reader.number(threshold.value, what: "a threshold")
                    switch threshold.key {
                    case "flag": policy.flag = value
                    case "hold": policy.hold = value
                    case "reject": policy.reject = value
                    default: break
                    }
                }
            case "limits":
                guard let entries = reader.pairs(pair.value, what: "`limits`") else { continue }
                reader.checkKeys(entries, allowed: ["match", "depth", "heap_kib"], in: "`limits`")
                for entry in entries {
                    guard let number = reader.number(entry.value, what: "a limit") else { continue }
                    guard number >= 1, number <= Double(UInt32.max) else {
                        reader.error(entry.value, "limit out of range", hint: "use a whole number from 1 to \(UInt32.max)")
                        continue
                    }
                    switch entry.key {
                    case "match": limits.match = UInt32(number)
                    case "depth": limits.depth = UInt32(number)
                    case "heap_kib": limits.heapKiB = UInt32(number)
                    default: break
                    }
                }
            default:
                break
            }
        }
    }

    /// Thresholds must rise flag < hold < reject, and each must be reachable by the enforced rules' scores.
    static func checkPolicy(_ policy: Policy, rules: [Rule], at location: SourceLocation) -> [RuleDiagnostic] {
        var diagnostics: [RuleDiagnostic] = []
        let ordered = [("flag", policy.flag), ("hold", policy.hold), ("reject", policy.reject)].compactMap { name, value in
            value.map { (name, $0) }
        }
        for (lower, upper) in zip(ordered, ordered.dropFirst()) where lower.1 >= upper.1 {
            diagnostics.append(
                RuleDiagnostic(
                    .error, at: location, "threshold `\(upper.0): \(FieldValue.number(upper.1))` is not above `\(lower.0): \(FieldValue.number(lower.1))`",
                    hint: "thresholds must rise: flag < hold < reject (or set one to `off`)"))
        }
        let enforced = rules.filter { $0.mode == .enforce }
        guard !enforced.isEmpty else { return diagnostics }
        let reachable = enforced.reduce(0) { $0 + max(0, $1.score) }
        for (name, value) in ordered where value > reachable {
            diagnostics.append(
                RuleDiagnostic(
                    .warning, at: location,
                    "threshold `\(name): \(FieldValue.number(value))` is unreachable: all enforced rules together score at most \(FieldValue.number(reachable))",
                    hint: "lower the threshold or raise rule scores; forced actions still apply"))
        }
        return diagnostics
    }
}
