import ActivityPub

/// Splits `herdwatch check` input into items: one JSON document, or NDJSON lines of activities or envelopes.
enum InputReader {
    struct Input {
        var activity: Activity
        var actor: Actor?
    }

    struct Item {
        /// `file` or `file:line`, for messages.
        var source: String
        /// The envelope's `id` when there is one.
        var id: String?
        var payload: Result<Input, ActivityPubError>
    }

    static func items(in bytes: [UInt8], source: String) -> [Item] {
        // A whole document that parses is one item (pretty-printed JSON); otherwise each line is one.
        if let value = try? JSONValue.parse(bytes) {
            return [item(value, source: source)]
        }
        var items: [Item] = []
        var lineNumber = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
            if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let lineSource = "\(source):\(lineNumber)"
            do {
                items.append(item(try JSONValue.parse(Array(line)), source: lineSource))
            } catch {
                items.append(Item(source: lineSource, id: nil, payload: .failure(ActivityPubError(code: .invalidJSON, path: error.path, message: "not valid JSON: \(error.description)", jsonError: error))))
            }
        }
        if items.isEmpty {
            items.append(
                Item(
                    source: source, id: nil,
                    payload: .failure(ActivityPubError(code: .notAnObject, path: "$", message: "the input is empty"))))
        }
        return items
    }

    static func item(_ value: JSONValue, source: String) -> Item {
        if let envelope = value.objectValue, envelope["type"] == nil, let activity = envelope["activity"] {
            let id = envelope["id"]?.stringValue
            do {
                let parsed = try Activity(json: activity)
                let actor = try envelope["actor"].flatMap { json throws(ActivityPubError) -> Actor? in
                    json.objectValue == nil ? nil : try Actor(json: json)
                }
                return Item(source: source, id: id, payload: .success(Input(activity: parsed, actor: actor)))
            } catch {
                return Item(source: source, id: id, payload: .failure(error))
            }
        }
        do {
            return Item(source: source, id: nil, payload: .success(Input(activity: try Activity(json: value), actor: nil)))
        } catch {
            return Item(source: source, id: value["id"]?.stringValue, payload: .failure(error))
        }
    }
}
