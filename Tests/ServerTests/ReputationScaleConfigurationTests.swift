import Configuration
import HerdwatchServer
import Reputation
import Testing

/// `reputation.cacheMiB` and `reputation.actorRetentionDays` (issue 22).
@Suite("Reputation scale configuration")
struct ReputationScaleConfigurationTests {
    private func configuration(_ values: [AbsoluteConfigKey: ConfigValue]) throws(ServerConfigurationError)
        -> ServerConfiguration
    {
        try ServerConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: values)))
    }

    @Test func theCacheHasAByteBudgetAndQuietActorsAreKeptForAMonth() throws {
        let defaults = try configuration([:])
        #expect(defaults.reputationCacheBytes == 64 << 20)
        #expect(defaults.actorRetention == Double(30 * 86_400))
        #expect(try configuration(["reputation.cacheMiB": 8]).reputationCacheBytes == 8 << 20)
        #expect(try configuration(["reputation.actorRetentionDays": 90]).actorRetention == Double(90 * 86_400))
        #expect(try configuration(["reputation.actorRetentionDays": 0]).actorRetention == nil, "0 keeps every actor")
    }

    @Test func aBudgetOrRetentionOutOfRangeIsRefusedNamingTheKey() {
        for (values, key) in [
            (["reputation.cacheMiB": 0] as [AbsoluteConfigKey: ConfigValue], "reputation.cacheMiB"),
            (["reputation.cacheMiB": -5], "reputation.cacheMiB"),
            (["reputation.actorRetentionDays": -1], "reputation.actorRetentionDays"),
        ] {
            #expect {
                _ = try configuration(values)
            } throws: { error in
                (error as? ServerConfigurationError)?.key == key
            }
        }
    }
}
