import Foundation
import Yams

/// Helpers for reading a composed YAML tree with positions.
struct YAMLReader {
    let file: String
    var diagnostics: [RuleDiagnostic] = []

    func location(_ node: Node?) -> SourceLocation {
        let mark = node?.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    mutating func error(_ node: Node?, _ message: String, hint: String? = nil) {
        diagnostics.append(RuleDiagnostic(.error, at: location(node), message, hint: hint))
    }

    mutating func warning(_ node: Node?, _ message: String, hint: String? = nil) {
        diagnostics.append(RuleDiagnostic(.warning, at: location(node), message, hint: hint))
    }

    /// The pairs of a mapping node with string keys; reports and skips anything else.
    mutating func pairs(_ node: Node, what: String) -> [(key: String, keyNode: Node, value: Node)]? {
        guard let mapping = node.mapping else {
            error(node, "\(what) must be a mapping of `key: value` lines", hint: "indent its keys under it")
            return nil
        }
        var result: [(String, Node, Node)] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                error(key, "keys in \(what) must be plain words")
                continue
            }
            result.append((name, key, value))
        }
        return result
    }

    /// Reports keys that are not in `allowed`, suggesting the nearest known key.
    mutating func checkKeys(_ pairs: [(key: String, keyNode: Node, value: Node)], allowed: [String], in what: String) {
        for pair in pairs where !allowed.contains(pair.key) {
            let suggestion = allowed.min { editDistance($0, pair.key) < editDistance($1, pair.key) }
            let hint: String
            if let suggestion, editDistance(suggestion, pair.key) <= max(2, pair.key.count / 3) {
                hint = "did you mean `\(suggestion)`?"
            } else {
                hint = "known keys: " + allowed.joined(separator: ", ")
            }
            error(pair.keyNode, "unknown key `\(pair.key)` in \(what)", hint: hint)
        }
    }

    mutating func string(_ node: Node, what: String) -> String? {
        guard let scalar = node.scalar else {
            error(node, "\(what) must be a single value, not a list or mapping")
            return nil
        }
        return scalar.string
    }

    mutating func number(_ node: Node, what: String) -> Double? {
        guard let text = node.scalar?.string, let number = Double(text.replacingOccurrences(of: "_", with: "")),
            number.isFinite
        else {
            error(node, "\(what) must be a number", hint: "write it without quotes, e.g. `4` or `2.5`")
            return nil
        }
        return number
    }

    /// A scalar or a list of scalars, as strings.
    mutating func strings(_ node: Node, what: String) -> [String]? {
        if let scalar = node.scalar { return [scalar.string] }
        guard let sequence = node.sequence else {
            error(node, "\(what) must be a value or a list of values")
            return nil
        }
        var result: [String] = []
        for item in sequence {
            guard let scalar = item.scalar else {
                error(item, "each entry of \(what) must be a single value")
                continue
            }
            result.append(scalar.string)
        }
        return result
    }

    /// A scalar as a typed value: unquoted numbers and booleans are typed, everything else is a string.
    func fieldValue(_ node: Node) -> FieldValue? {
        guard let scalar = node.scalar else { return nil }
        if scalar.style == .plain {
            switch scalar.string.lowercased() {
            case "true", "yes": return .bool(true)
            case "false", "no": return .bool(false)
            default: if let number = Double(scalar.string) { return .number(number) }
            }
        }
        return .string(scalar.string)
    }
}

/// Serialises a YAML tree as JSON text, for activities written inline in rule examples.
enum YAMLToJSON {
    static func encode(_ node: Node) -> String {
        var output = ""
        write(node, to: &output)
        return output
    }

    private static func write(_ node: Node, to output: inout String) {
        switch node {
        case .mapping(let mapping):
            output += "{"
            for (position, pair) in mapping.enumerated() {
                if position > 0 { output += "," }
                writeString(pair.key.scalar?.string ?? "", to: &output)
                output += ":"
                write(pair.value, to: &output)
            }
            output += "}"
        case .sequence(let sequence):
            output += "["
            for (position, item) in sequence.enumerated() {
                if position > 0 { output += "," }
                write(item, to: &output)
            }
            output += "]"
        case .scalar(let scalar):
            let text = scalar.string
            if scalar.style == .plain {
                if ["true", "false", "null"].contains(text) {
                    output += text
                    return
                }
                if text == "~" || text.isEmpty {
                    output += "null"
                    return
                }
                if let number = Double(text), number.isFinite, text.first != "+", !text.hasPrefix("0x") {
                    output += text
                    return
                }
            }
            writeString(text, to: &output)
        case .alias:
            output += "null"
        }
    }

    private static func writeString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    output += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}

/// Levenshtein distance, for "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
