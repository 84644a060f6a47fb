/// An activity's fields as a `Decodable` model reads them with Foundation's `JSONDecoder`: what `herdwatch-bench
/// json` times against our parser and `Activity`. Tolerant as `Activity` is: a field of the wrong shape is read
/// as missing, never fatal; a reference is a string or an object's `id` (or `href`); addressing is one or many.
struct DecodableActivity: Decodable {
    var id: String?
    var type: String?
    var actor: String?
    var object: DecodableObject?
    var to: [String]
    var cc: [String]
    var published: String?
    var content: String?
    var summary: String?
    var tags: [DecodableTag]

    private enum Keys: String, CodingKey {
        case id, type, actor, object, to, cc, published, content, summary, tag
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        id = container.tolerant(String.self, .id).flatMap { $0.isEmpty ? nil : $0 }
        type = container.tolerant(OneOrMany<String>.self, .type)?.values.first
        actor = container.tolerant(Reference.self, .actor)?.id
        object = container.tolerant(DecodableObject.self, .object)
        to = container.tolerant(OneOrMany<Reference>.self, .to)?.values.compactMap(\.id) ?? []
        cc = container.tolerant(OneOrMany<Reference>.self, .cc)?.values.compactMap(\.id) ?? []
        published = container.tolerant(String.self, .published)
        content = container.tolerant(String.self, .content)
        summary = container.tolerant(String.self, .summary)
        tags = container.tolerant(OneOrMany<DecodableTag>.self, .tag)?.values ?? []
    }
}

/// An activity's `object`: a URI, an embedded object or activity, or several.
indirect enum DecodableObject: Decodable {
    case uri(String)
    case object(Fields)
    case multiple([DecodableObject])

    struct Fields: Decodable {
        var id: String?
        var type: String?
        var attributedTo: String?
        var inReplyTo: String?
        var content: String?
        var summary: String?
        var to: [String]
        var cc: [String]
        var tags: [DecodableTag]
        var attachments: [Attachment]
        /// An embedded activity's own object (`Announce{Create{Page}}`).
        var object: DecodableObject?

        private enum Keys: String, CodingKey {
            case id, type, attributedTo, inReplyTo, content, summary, to, cc, tag, attachment, object
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            id = container.tolerant(String.self, .id)
            type = container.tolerant(OneOrMany<String>.self, .type)?.values.first
            attributedTo = container.tolerant(Reference.self, .attributedTo)?.id
            inReplyTo = container.tolerant(Reference.self, .inReplyTo)?.id
            content = container.tolerant(String.self, .content)
            summary = container.tolerant(String.self, .summary)
            to = container.tolerant(OneOrMany<Reference>.self, .to)?.values.compactMap(\.id) ?? []
            cc = container.tolerant(OneOrMany<Reference>.self, .cc)?.values.compactMap(\.id) ?? []
            tags = container.tolerant(OneOrMany<DecodableTag>.self, .tag)?.values ?? []
            attachments = container.tolerant(OneOrMany<Attachment>.self, .attachment)?.values ?? []
            object = container.tolerant(DecodableObject.self, .object)
        }
    }

    struct Attachment: Decodable {
        var type: String?
        var mediaType: String?
        var url: Reference?
        var name: String?
    }

    init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let uri = try? single.decode(String.self) {
            self = .uri(uri)
        } else if let many = try? single.decode([DecodableObject].self) {
            self = .multiple(many)
        } else {
            self = .object(try single.decode(Fields.self))
        }
    }

    /// The object's id (the first one's, for several).
    var id: String? {
        switch self {
        case .uri(let uri): uri.isEmpty ? nil : uri
        case .object(let fields): fields.id
        case .multiple(let objects): objects.lazy.compactMap(\.id).first
        }
    }
}

struct DecodableTag: Decodable {
    var type: String?
    var name: String?
    var href: String?
}

/// A string, or an object with an `id` (or `href`), or an array whose first such element counts.
struct Reference: Decodable {
    var id: String?

    private enum Keys: String, CodingKey { case id, href }

    init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let value = try? single.decode(String.self) {
            id = value.isEmpty ? nil : value
        } else if let container = try? decoder.container(keyedBy: Keys.self) {
            id = container.tolerant(String.self, .id) ?? container.tolerant(String.self, .href)
        } else if var elements = try? decoder.unkeyedContainer() {
            // Every element is decoded (a failed decode would not move the container on).
            var first: String?
            while !elements.isAtEnd {
                let element = try elements.decode(Reference.self)
                first = first ?? element.id
            }
            id = first
        } else {
            id = nil
        }
    }
}

/// One value or an array of them, as ActivityStreams allows for most properties.
struct OneOrMany<Element: Decodable>: Decodable {
    var values: [Element]

    init(from decoder: any Decoder) throws {
        // The array first: a `Reference` would read an array as its first element.
        let single = try decoder.singleValueContainer()
        if let many = try? single.decode([Element].self) {
            values = many
        } else {
            values = [try single.decode(Element.self)]
        }
    }
}

extension KeyedDecodingContainer {
    /// The value at `key`, or nil when it is missing, null or of another shape.
    fileprivate func tolerant<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        (try? decodeIfPresent(type, forKey: key)) ?? nil
    }
}
