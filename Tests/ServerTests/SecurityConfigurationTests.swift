import Configuration
import HerdwatchServer
import Testing

/// The settings the firewall's security rests on: their defaults, and refusals that name the key.
@Suite("Security configuration")
struct SecurityConfigurationTests {
    private func configuration(_ values: [AbsoluteConfigKey: ConfigValue]) throws(ServerConfigurationError) -> ServerConfiguration {
        try ServerConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: values)))
    }

    @Test func defaultsFailClosed() throws {
        let defaults = try configuration([:])
        #expect(defaults.foreignSigner == .refuse)
        #expect(defaults.signatureMode == .enforce)
        #expect(defaults.passthroughPaths.isEmpty)
        #expect(defaults.inboxPaths.contains("/actor/inbox"))
        #expect(defaults.trustedProxies == ["127.0.0.1", "::1"])
        #expect(defaults.idleTimeout == .seconds(60))
        #expect(defaults.bodyTimeout == .seconds(15))
        #expect(defaults.shutdownTimeout == .seconds(10))
        // A locked database is answered 503 in a quarter second, not after five.
        #expect(defaults.databaseBusyTimeout == 0.25)
    }

    @Test func badValuesAreRefusedNamingTheKey() {
        let bad: [(AbsoluteConfigKey, ConfigValue)] = [
            ("signatures.foreignSigner", "allow"), ("http.idleTimeoutSeconds", 0), ("http.bodyTimeoutSeconds", -1),
            ("http.shutdownTimeoutSeconds", 0), ("database.busyTimeoutMilliseconds", -5),
            ("proxy.passthroughPaths", .init(.stringArray(["api"]), isSecret: false)),
        ]
        for (key, value) in bad {
            #expect("\(key)") {
                _ = try configuration([key: value])
            } throws: { error in
                (error as? ServerConfigurationError)?.description.contains("\(key)") == true
            }
        }
        #expect((try? configuration(["signatures.foreignSigner": "evaluate"]))?.foreignSigner == .evaluate)
    }
}
