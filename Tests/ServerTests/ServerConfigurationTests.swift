import Configuration
import HerdwatchServer
import Reputation
import Testing

@Suite("Server configuration")
struct ServerConfigurationTests {
    private func configuration(_ values: [AbsoluteConfigKey: ConfigValue]) throws(ServerConfigurationError) -> ServerConfiguration {
        try ServerConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: values)))
    }

    @Test func observationsAreKeptForAWeekUnlessToldOtherwise() throws {
        #expect(try configuration([:]).observationRetention == 7 * 86_400)
        #expect(try configuration(["reputation.observationDays": 30]).observationRetention == 30 * 86_400)
        #expect(try configuration(["reputation.observationDays": 0]).observationRetention == nil, "0 keeps every observation")
    }

    @Test func theServerRecordsNoVerdictsUnlessAskedAndBoundsTheRecord() throws {
        let defaults = try configuration([:])
        #expect(defaults.recording == .off)
        #expect(defaults.recordLimit == 1_000_000)
        #expect(try configuration(["reputation.record": "all"]).recording == .all)
        #expect(try configuration(["reputation.record": "sample"]).recording == .sample(0.01))
        #expect(try configuration(["reputation.record": "sample", "reputation.recordSample": 0.25]).recording == .sample(0.25))
        #expect(try configuration(["reputation.recordLimit": 0]).recordLimit == nil, "0 sets no budget")
        for (values, key) in [
            (["reputation.record": "some"] as [AbsoluteConfigKey: ConfigValue], "reputation.record"),
            (["reputation.record": "sample", "reputation.recordSample": 1.5], "reputation.recordSample"),
            (["reputation.recordLimit": -1], "reputation.recordLimit"),
        ] {
            #expect {
                _ = try configuration(values)
            } throws: { error in
                (error as? ServerConfigurationError)?.key == key
            }
        }
    }

    @Test func aNegativeRetentionIsRefusedNamingTheKey() {
        #expect {
            _ = try configuration(["reputation.observationDays": -1])
        } throws: { error in
            guard let error = error as? ServerConfigurationError else { return false }
            return error.key == "reputation.observationDays" && error.description.contains("0 to keep every observation")
        }
    }

    @Test func aFlushIntervalUnderASecondIsRefused() {
        #expect(throws: ServerConfigurationError.self) { _ = try configuration(["reputation.flushSeconds": 0]) }
        #expect(throws: ServerConfigurationError.self) { _ = try configuration(["reputation.flushSeconds": -5]) }
        #expect((try? configuration(["reputation.flushSeconds": 1]))?.reputationFlushInterval == 1)
    }

    @Test func sharedDeliveryVerdictsAreKeptADayUnlessConfigured() throws {
        #expect(try configuration([:]).shareDeliveryVerdicts)
        #expect(try !configuration(["database.shareDeliveryVerdicts": false]).shareDeliveryVerdicts)
        #expect(try configuration([:]).sharedDeliveryRetention == 86_400)
        #expect(try configuration(["database.deliveryRetentionHours": 3]).sharedDeliveryRetention == 10_800)
        #expect {
            _ = try configuration(["database.deliveryRetentionHours": 0])
        } throws: { error in
            guard let error = error as? ServerConfigurationError else { return false }
            return error.key == "database.deliveryRetentionHours" && error.description.contains("at least 1 hour")
        }
    }

    @Test func theKeyCacheIsBoundedInBytes() throws {
        #expect(try configuration([:]).keys.cacheBytes == 16 << 20)
        #expect(try configuration(["keys.cacheBytes": 1_048_576]).keys.cacheBytes == 1_048_576)
        #expect {
            _ = try configuration(["keys.cacheBytes": 0])
        } throws: { error in
            (error as? ServerConfigurationError)?.key == "keys.cacheBytes"
        }
    }
}
