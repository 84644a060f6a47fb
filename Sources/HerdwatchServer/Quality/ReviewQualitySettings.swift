import Configuration
public import Foundation

/// Service levels, QA sampling and evidence retention of the review queue (`review.*`; see `ServerConfiguration`).
public struct ReviewQualitySettings: Sendable {
    /// A case not closed this many minutes after it opened breaches the service level; a queue may set its own.
    public var slaMinutes: Int
    /// The share of closed cases sampled for a blind second review.
    public var qaShare: Double
    /// How long after closing a case keeps its evidence; nil keeps it.
    public var evidenceRetention: TimeInterval?

    public init(slaMinutes: Int = 240, qaShare: Double = 0.05, evidenceRetention: TimeInterval? = 90 * 86_400) {
        self.slaMinutes = slaMinutes
        self.qaShare = qaShare
        self.evidenceRetention = evidenceRetention
    }

    init(reader: ConfigReader) throws(ServerConfigurationError) {
        let slaMinutes = reader.int(forKey: "review.slaMinutes", default: 240)
        guard slaMinutes >= 1 else {
            throw ServerConfigurationError(
                key: "review.slaMinutes", message: "\(slaMinutes) is too small; give at least 1 minute, like 240")
        }
        let qaShare = reader.double(forKey: "review.qaShare", default: 0.05)
        guard (0...1).contains(qaShare) else {
            throw ServerConfigurationError(
                key: "review.qaShare",
                message: "\(qaShare) is not a share; give a number from 0 (no QA) to 1 (every case), like 0.05")
        }
        let days = reader.int(forKey: "review.evidenceRetentionDays", default: 90)
        guard days >= 0 else {
            throw ServerConfigurationError(
                key: "review.evidenceRetentionDays",
                message: "\(days) is negative; give a number of days, or 0 to keep evidence")
        }
        self.init(
            slaMinutes: slaMinutes, qaShare: qaShare, evidenceRetention: days == 0 ? nil : TimeInterval(days) * 86_400)
    }
}
