public import Foundation

/// An actor document (`Person`, `Service`, `Group`, `Application`, `Organization`), read tolerantly.
public struct Actor: Sendable {
    /// A profile metadata field (`PropertyValue`), value converted from HTML to text.
    public struct Field: Sendable, Equatable {
        public let name: String
        public let value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The actor's signing key as published under `publicKey`.
    public struct PublicKey: Sendable, Equatable {
        public let id: String
        public let owner: String?
        public let pem: String?

        public init(id: String, owner: String?, pem: String?) {
            self.id = id
            self.owner = owner
            self.pem = pem
        }
    }

    /// The types that identify an actor rather than a post.
    public static let actorTypes: Set<String> = ["Person", "Service", "Group", "Application", "Organization"]

    public let json: JSONValue
    public let id: String
    public let type: String
    public let preferredUsername: String?
    public let name: String?
    /// The bio as sent (HTML).
    public let summary: String?
    public let fields: [Field]
    public let hasAvatar: Bool
    public let published: Date?
    public let publicKey: PublicKey?
    public let inbox: String?
    public let sharedInbox: String?
    public let followers: String?
    public let movedTo: String?
    public let alsoKnownAs: [String]
    public let url: String?

    /// Reads an actor document; requires a JSON object with a string `id`.
    public init(json: JSONValue) throws(ActivityPubError) {
        guard case .object(let members) = json else {
            throw ActivityPubError(
                code: .notAnObject, path: "$", message: "an actor document must be a JSON object")
        }
        guard let id = members["id"]?.nonEmptyString else {
            throw ActivityPubError(
                code: .missingField, path: "$.id", message: "an actor needs a string `id`; fetch the actor by its URI")
        }
        self.json = json
        self.id = id
        type = members["type"]?.firstString ?? ""
        preferredUsername = members["preferredUsername"]?.nonEmptyString
        name = members["name"]?.nonEmptyString
        summary = members["summary"]?.nonEmptyString
        fields = (members["attachment"]?.list ?? []).compactMap { element in
            guard let attachment = Attachment(json: element), attachment.type == "PropertyValue",
                let label = attachment.name
            else { return nil }
            return Field(name: label, value: HTMLText(html: attachment.value ?? "").text)
        }
        hasAvatar = members["icon"].map { icon in
            icon.list.contains { $0.reference != nil || $0["url"]?.reference != nil }
        } ?? false
        published = members["published"]?.stringValue.flatMap(Timestamp.parse)
        if let key = members["publicKey"]?.list.first(where: { $0["id"]?.stringValue != nil }),
            let keyID = key["id"]?.stringValue
        {
            publicKey = PublicKey(id: keyID, owner: key["owner"]?.reference, pem: key["publicKeyPem"]?.stringValue)
        } else {
            publicKey = nil
        }
        inbox = members["inbox"]?.reference
        sharedInbox = members["endpoints"]?["sharedInbox"]?.reference
        followers = members["followers"]?.reference
        movedTo = members["movedTo"]?.reference
        alsoKnownAs = members["alsoKnownAs"]?.references ?? []
        url = members["url"]?.reference
    }

    /// Decodes an actor document from UTF-8 bytes.
    public static func decode(_ bytes: [UInt8]) throws(ActivityPubError) -> Actor {
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw ActivityPubError(error)
        }
        return try Actor(json: json)
    }
}
