// swift-tools-version: 6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Herdwatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "herdwatch", targets: ["herdwatch"]),
        .executable(name: "herdwatch-bench", targets: ["herdwatch-bench"]),
        .library(name: "RuleEngine", targets: ["RuleEngine"]),
        .library(name: "ActivityPub", targets: ["ActivityPub"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.24.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.8.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-http-structured-headers", from: "1.7.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),
        .systemLibrary(
            name: "CHyperscan",
            pkgConfig: "libhs",
            providers: [.apt(["libhyperscan-dev"])]
        ),
        .systemLibrary(
            name: "CIDN2",
            pkgConfig: "libidn2",
            providers: [.apt(["libidn2-dev"])]
        ),
        .systemLibrary(
            name: "CPSL",
            pkgConfig: "libpsl",
            providers: [.apt(["libpsl-dev"])]
        ),
        .systemLibrary(
            name: "CZBar",
            pkgConfig: "zbar",
            providers: [.apt(["libzbar-dev", "libpng-dev", "libturbojpeg0-dev"])]
        ),
        .target(
            name: "MediaDecoding",
            dependencies: ["CZBar"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Matching",
            dependencies: ["CPCRE2", "CHyperscan"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ActivityPub",
            dependencies: [
                "CIDN2",
                "CPSL",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "RawStructuredFieldValues", package: "swift-http-structured-headers"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "RuleEngine",
            dependencies: [
                "Matching",
                "ActivityPub",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Reputation",
            dependencies: ["RuleEngine", "ActivityPub", "Matching"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ReviewQueue",
            dependencies: ["ActivityPub", "RuleEngine", "Access", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Intake",
            dependencies: [
                "ActivityPub",
                "Blocklists",
                "RuleEngine",
                "Reputation",
                "ReviewQueue",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Access",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Blocklists",
            dependencies: ["ActivityPub", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Storage",
            dependencies: [
                "Reputation",
                "RuleEngine",
                "ReviewQueue",
                "Access",
                "Blocklists",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "HerdwatchServer",
            dependencies: [
                "ActivityPub",
                "Intake",
                "RuleEngine",
                "Reputation",
                "ReviewQueue",
                "Access",
                "Blocklists",
                "Storage",
                "MediaDecoding",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "herdwatch",
            dependencies: [
                "HerdwatchServer",
                "Intake",
                "ReviewQueue",
                "Access",
                "Blocklists",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "SystemPackage", package: "swift-system"),
                "RuleEngine",
                "ActivityPub",
                "Matching",
                "Reputation",
                "Storage",
                "PostgresStorage",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Harness",
            swiftSettings: strictSettings
        ),
        // The stores on PostgreSQL, for deployments of several nodes (issue 22): the same protocols as Storage's
        // SQLite stores, checked by the same conformance suites.
        .target(
            name: "PostgresStorage",
            dependencies: [
                "Access",
                "Blocklists",
                "ReviewQueue",
                "Reputation",
                "Intake",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "HerdwatchTestSupport",
            dependencies: [
                "Harness", "Access", "Blocklists", "ReviewQueue", "RuleEngine", "Reputation", "Storage",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Tests/HerdwatchTestSupport",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "herdwatch-bench",
            dependencies: [
                "HerdwatchServer",
                "Intake",
                "Harness",
                "Access",
                "ActivityPub",
                "Blocklists",
                "Matching",
                "Reputation",
                "ReviewQueue",
                "RuleEngine",
                "Storage",
                // `nodes`: makes and drops a schema per target and finds the PostgreSQL server's processes.
                "PostgresStorage",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // `media`: the thread pool images are decoded on (its image server is HerdwatchServer's).
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PostgresStorageTests",
            dependencies: [
                "PostgresStorage", "Access", "ActivityPub", "Blocklists", "HerdwatchTestSupport", "Intake", "Reputation", "RuleEngine",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MatchingTests",
            dependencies: ["Matching", "HerdwatchTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ActivityPubTests",
            dependencies: ["ActivityPub", "HerdwatchTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BlocklistsTests",
            dependencies: ["Blocklists", "ActivityPub"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RuleEngineTests",
            dependencies: ["RuleEngine", "ActivityPub", "Matching", "HerdwatchTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MediaDecodingTests",
            dependencies: ["MediaDecoding", "CZBar"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ReputationTests",
            dependencies: ["Reputation", "RuleEngine", "ActivityPub"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ReviewQueueTests",
            dependencies: ["ReviewQueue", "Access", "RuleEngine", "ActivityPub"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "IntakeTests",
            dependencies: ["Intake", "ActivityPub", "RuleEngine", "Reputation", "ReviewQueue"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "Intake",
                "Storage", "Reputation", "ReviewQueue", "RuleEngine", "ActivityPub", "Access", "Blocklists",
                "HerdwatchTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "HerdwatchServer", "Intake", "ActivityPub", "RuleEngine", "Reputation", "ReviewQueue", "Access", "Blocklists",
                "Storage", "herdwatch",
                "HerdwatchTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HerdwatchCLITests",
            dependencies: [
                "herdwatch", "herdwatch-bench", "HerdwatchTestSupport", "PostgresStorage",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
