import Foundation
import Mustache

/// Server-rendered pages. Templates are Mustache; every value goes through `StrictHTML`'s escaping, so post text,
/// names and URLs are always inserted as text, never as markup. Templates never use `{{{…}}}` or `{{&…}}` (a test
/// checks), and each one starts with the `{{% CONTENT_TYPE: STRICT_HTML}}` pragma: swift-mustache's default HTML
/// escaping works on grapheme clusters, so a quote followed by a combining mark would pass unescaped and end an
/// attribute.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    static let contentTypeName = "STRICT_HTML"

    /// Registers the strict content type (once per process) and parses the templates; a template that does not
    /// parse is a programming error caught by the tests, so it stops the server at start.
    init(templates: [String: String] = WebTemplates.all) {
        Self.registerContentType
        var library = MustacheLibrary()
        for (name, text) in templates {
            do {
                try library.register(text, named: name)
            } catch {
                preconditionFailure("the web template \(name) does not parse: \(error)")
            }
        }
        self.library = library
    }

    private static let registerContentType: Void = {
        MustacheContentTypes.register(StrictHTML(), named: contentTypeName)
    }()

    /// The page `name` rendered with `object` (a dictionary of strings, numbers, booleans, arrays and dictionaries).
    func render(_ name: String, _ object: [String: Any]) -> String {
        guard let html = library.render(object, withTemplate: name) else {
            preconditionFailure("there is no web template named \(name)")
        }
        return html
    }
}

/// HTML escaping by Unicode scalar: `&`, `<`, `>`, `"`, `'`, and also `` ` `` and `=` (which end unquoted
/// attribute values in old parsers). Control characters other than tab, newline and carriage return are
/// dropped: they have no business in a page.
struct StrictHTML: MustacheContentType {
    func escapeText(_ text: String) -> String { Self.escape(text) }

    static func escape(_ text: String) -> String {
        var output = String.UnicodeScalarView()
        output.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output.append(contentsOf: "&amp;".unicodeScalars)
            case "<": output.append(contentsOf: "&lt;".unicodeScalars)
            case ">": output.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": output.append(contentsOf: "&quot;".unicodeScalars)
            case "'": output.append(contentsOf: "&#39;".unicodeScalars)
            case "`": output.append(contentsOf: "&#96;".unicodeScalars)
            case "=": output.append(contentsOf: "&#61;".unicodeScalars)
            case "\t", "\n", "\r": output.append(scalar)
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { continue }
                output.append(scalar)
            }
        }
        return String(output)
    }
}
