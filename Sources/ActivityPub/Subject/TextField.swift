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
}
