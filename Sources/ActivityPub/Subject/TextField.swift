/// The text fields a rule can match, named as in rule files.
public enum TextField: String, CaseIterable, Sendable {
    case content
    case summary
    case name
    case alt
    case poll
    case links
    case actorUsername = "actor.username"
    case actorDisplayName = "actor.display_name"
    case actorBio = "actor.bio"
    case actorFields = "actor.fields"

    // Hash the case, not its raw value: subjects keep their texts in dictionaries keyed by field, and hashing
    // the name string on every read showed up in profiles.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ordinal)
    }

    private var ordinal: UInt8 {
        switch self {
        case .content: 0
        case .summary: 1
        case .name: 2
        case .alt: 3
        case .poll: 4
        case .links: 5
        case .actorUsername: 6
        case .actorDisplayName: 7
        case .actorBio: 8
        case .actorFields: 9
        }
    }
}
