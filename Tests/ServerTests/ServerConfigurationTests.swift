import Configuration
import HerdwatchServer
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
