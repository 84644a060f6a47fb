/// What an activity's `object` holds.
public indirect enum ObjectReference: Sendable {
    /// A bare URI.
    case uri(String)
    /// An embedded object such as a `Note` or `Tombstone`.
    case object(ActivityObject)
    /// An embedded actor document, as in `Update{Person}` or `Delete{Person}`.
    case actor(Actor)
    /// An embedded activity, as in `Undo{Follow}` or Lemmy's `Announce{Create{Page}}`.
    case activity(Activity)
    /// Several objects, as in a Mastodon `Flag` of [account, status…].
    case multiple([ObjectReference])

    /// Reads an `object` property; nil for values that cannot name an object.
    init?(json: JSONValue) {
        switch json {
        case .string(let uri):
            guard !uri.isEmpty else { return nil }
            self = .uri(uri)
        case .array(let elements):
            let references = elements.compactMap(ObjectReference.init(json:))
            switch references.count {
            case 0: return nil
            case 1: self = references[0]
            default: self = .multiple(references)
            }
        case .object(let members):
            let type = members["type"]?.firstString ?? ""
            if Actor.actorTypes.contains(type), let actor = try? Actor(json: json) {
                self = .actor(actor)
            } else if Activity.activityTypes.contains(type), let activity = try? Activity(json: json) {
                self = .activity(activity)
            } else if let object = ActivityObject(json: json) {
                self = .object(object)
            } else {
                return nil
            }
        default:
            return nil
        }
    }

    /// The URI of the referenced object (the first one for `.multiple`).
    public var id: String? {
        switch self {
        case .uri(let uri): uri
        case .object(let object): object.id
        case .actor(let actor): actor.id
        case .activity(let activity): activity.id
        case .multiple(let references): references.lazy.compactMap(\.id).first
        }
    }

    /// The embedded type; nil for a bare URI.
    public var type: String? {
        switch self {
        case .uri: nil
        case .object(let object): object.type
        case .actor(let actor): actor.type
        case .activity(let activity): activity.type
        case .multiple(let references): references.lazy.compactMap(\.type).first
        }
    }

    /// Every URI referenced, in order.
    public var ids: [String] {
        if case .multiple(let references) = self { return references.compactMap(\.id) }
        return id.map { [$0] } ?? []
    }
}
