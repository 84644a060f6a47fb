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
        .library(name: "RuleEngine", targets: ["RuleEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
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
        .target(
            name: "Matching",
            dependencies: ["CPCRE2", "CHyperscan"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ActivityPub",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
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
            name: "Storage",
            dependencies: [
                "Reputation",
                "RuleEngine",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "herdwatch",
            dependencies: [
                "RuleEngine",
                "ActivityPub",
                "Matching",
                "Reputation",
                "Storage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MatchingTests",
            dependencies: ["Matching"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ActivityPubTests",
            dependencies: ["ActivityPub"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RuleEngineTests",
            dependencies: ["RuleEngine", "ActivityPub", "Matching"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ReputationTests",
            dependencies: ["Reputation", "RuleEngine", "ActivityPub"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "Storage", "Reputation", "RuleEngine", "ActivityPub", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HerdwatchCLITests",
            dependencies: ["herdwatch"],
            swiftSettings: strictSettings
        ),
    ]
)
