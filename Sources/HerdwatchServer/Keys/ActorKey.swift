public import ActivityPub
public import Foundation

/// A public key fetched for a signature's `keyId`, with the actor that owns it.
public struct ActorKey: Sendable {
    public var keyID: String
    /// The actor the key belongs to: the signer.
    public var owner: String
    public var publicKeyPEM: String
    /// The owner's actor document when the key came embedded in it (Mastodon's `#main-key`): gives rules the
    /// account's age, bio and avatar without a second fetch.
    public var actor: Actor?
    public var fetchedAt: Date

    public init(keyID: String, owner: String, publicKeyPEM: String, actor: Actor?, fetchedAt: Date) {
        self.keyID = keyID
        self.owner = owner
        self.publicKeyPEM = publicKeyPEM
        self.actor = actor
        self.fetchedAt = fetchedAt
    }

    /// Reads the key named `keyID` from a fetched document: an actor with `publicKey` (an object or an
    /// array), or a key document of its own with `publicKeyPem` and `owner` (GoToSocial-style `/main-key`).
    /// The owner must be on the key's host, so one server cannot publish keys for another's actors.
    public static func read(_ document: JSONValue, keyID: String, fetchedAt: Date) throws(KeyFetchError) -> ActorKey {
        guard let object = document.objectValue else {
            throw KeyFetchError(.badDocument, "the key document is not a JSON object")
        }
        let documentID = object["id"]?.stringValue
        var candidates: [JSONValue] = []
        if object["publicKeyPem"] != nil {
            candidates.append(document)
        }
        switch object["publicKey"] {
        case .array(let keys)?: candidates += keys
        case let key?: candidates.append(key)
        case nil: break
        }
        let keyIDWithoutFragment = keyID.split(separator: "#", maxSplits: 1).first.map(String.init) ?? keyID
        let chosen =
            candidates.first { $0["id"]?.stringValue == keyID }
            ?? (candidates.count == 1 && (documentID == keyIDWithoutFragment || documentID == keyID) ? candidates.first : nil)
        guard let key = chosen else {
            throw KeyFetchError(.keyNotFound, "the document at the key's URL publishes no key with that id")
        }
        guard let pem = key["publicKeyPem"]?.stringValue, pem.contains("-----BEGIN") else {
            throw KeyFetchError(.badDocument, "the key has no publicKeyPem")
        }
        let isActor = object["type"]?.stringValue.map { Actor.actorTypes.contains($0) } ?? false
        guard let owner = key["owner"]?.stringValue ?? (isActor ? documentID : nil) else {
            throw KeyFetchError(.badDocument, "the key names no owner")
        }
        guard let keyHost = Hostname.host(ofID: keyID) else {
            throw KeyFetchError(.badKeyID, "the keyId is not a plainly written http(s) URL with a host and no userinfo")
        }
        guard let ownerHost = Hostname.host(ofID: owner) else {
            throw KeyFetchError(.ownerMismatch, "the key's owner is not a plainly written http(s) URL with a host and no userinfo")
        }
        guard ownerHost == keyHost else {
            throw KeyFetchError(.ownerMismatch, "the key's owner is not on the key's host; a server may only publish keys for its own actors")
        }
        let actor = isActor && documentID == owner ? try? Actor(json: document) : nil
        return ActorKey(keyID: keyID, owner: owner, publicKeyPEM: pem, actor: actor, fetchedAt: fetchedAt)
    }
}

/// Why a key could not be fetched. Messages never include the fetched content.
public struct KeyFetchError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// The keyId is not an http(s) URL.
        case badKeyID
        /// The key's host does not resolve, or resolves to any address that is not globally routable (loopback,
        /// private, link-local, documentation, NAT64 or 6to4 forms of those, and the like).
        case forbiddenAddress
        /// Network error, timeout, or an HTTP status other than 200.
        case unreachable
        /// The response is larger than `keys.maxBytes`.
        case tooLarge
        /// Not JSON, or not a key or actor document.
        case badDocument
        /// The document has no key with that id.
        case keyNotFound
        /// The key's owner is on another host.
        case ownerMismatch
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "key fetch \(code.rawValue): \(message)" }
}

/// Finds the public key for a signature's `keyId`.
public protocol ActorKeyResolver: Sendable {
    /// The key for `keyID`; with `refresh`, fetched anew (the key may have rotated) unless it was fetched within
    /// the refetch interval, in which case the cached key is returned. A failed refetch keeps the cached key.
    func key(for keyID: String, refresh: Bool) async throws(KeyFetchError) -> ActorKey
}
