public import Foundation

/// The account-quality facts rules read about the sender.
public struct ActorProfile: Sendable, Equatable {
    public var id: String?
    /// `Person`, `Service`, `Group`, `Application`, `Organization`.
    public var type: String
    public var username: String?
    public var displayName: String?
    /// The bio as plain text.
    public var bio: String?
    public var fields: [Actor.Field]
    public var hasAvatar: Bool
    public var published: Date?
    /// Hours from `published` to the activity's date (or now); nil when the actor has no `published`.
    public var ageHours: Double?

    public init(
        id: String? = nil, type: String = "Person", username: String? = nil, displayName: String? = nil,
        bio: String? = nil, fields: [Actor.Field] = [], hasAvatar: Bool = false, published: Date? = nil,
        ageHours: Double? = nil
    ) {
        self.id = id
        self.type = type
        self.username = username
        self.displayName = displayName
        self.bio = bio
        self.fields = fields
        self.hasAvatar = hasAvatar
        self.published = published
        self.ageHours = ageHours
    }

    /// Fields as `name: value` lines, the form the `actor.fields` text matches.
    public var fieldsText: String { fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n") }
}
