// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for the parsers that read untrusted input (issue 17, "Proven robustness").
// A package of its own, so the main `swift build` and `swift test` neither build nor need these.
// Build and run them with `make fuzz` / `make fuzz-smoke` from the repository root; see README.md.
let settings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// One libFuzzer executable per parser. Each defines `LLVMFuzzerTestOneInput`; libFuzzer supplies `main`.
func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzSupport"] + dependencies, swiftSettings: settings)
}

let activityPub = Target.Dependency.product(name: "ActivityPub", package: "Herdwatch")

let package = Package(
    name: "HerdwatchFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Herdwatch", path: "..")
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer", activityPub], swiftSettings: settings),
        fuzzTarget("FuzzJSON", [activityPub]),
        fuzzTarget("FuzzActivity", [activityPub]),
        fuzzTarget("FuzzHTMLText", [activityPub]),
        fuzzTarget("FuzzHosts", [activityPub]),
        fuzzTarget("FuzzCavageSignature", [activityPub]),
        fuzzTarget("FuzzMessageSignature", [activityPub]),
        fuzzTarget("FuzzRuleLoader", [.product(name: "RuleEngine", package: "Herdwatch")]),
    ]
)
