import ArgumentParser
import Foundation
import HerdwatchServer

@main
enum Entry {
    /// `herdwatch serve` runs its tasks on the event loops that do its I/O (see
    /// `ServerRuntime.runConcurrencyOnEventLoops`), which must be decided before any task starts; every other
    /// command keeps Swift's own pool.
    static func main() {
        if CommandLine.arguments.dropFirst().first == "serve" {
            _ = ServerRuntime.runConcurrencyOnEventLoops()
        }
        Task {
            await Herdwatch.main()
            exit(0)
        }
        dispatchMain()
    }
}

struct Herdwatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herdwatch",
        abstract: "Moderation and trust-and-safety workbench for fediverse instances.",
        discussion: """
            Evaluate ActivityPub activities against rules and explain every verdict.
            Examples:
              herdwatch check Fixtures/activities/spam_nicole_dm.json
              herdwatch check --format json < stream.ndjson
              herdwatch check --db herdwatch.sqlite Fixtures/streams/wave-2024-02.ndjson
              herdwatch backtest --rules Rules.next --baseline Rules recorded.ndjson
              herdwatch rules lint Rules
              herdwatch rules test Rules
            """,
        subcommands: [Serve.self, Check.self, Backtest.self, RulesCommand.self, DatabaseCommand.self, TokenCommand.self, Bench.self]
    )
}

/// Options shared by commands that load a rule set.
struct RuleOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory of rule files.", valueName: "dir"))
    var rules: String = RuleOptions.defaultDirectory

    static var defaultDirectory: String {
        if let fromEnvironment = ProcessInfo.processInfo.environment["HERDWATCH_RULES"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "Rules"
    }
}
