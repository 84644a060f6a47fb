import ArgumentParser
import Foundation
import HerdwatchServer
import Intake

@main
enum Entry {
    /// `herdwatch serve` without an upstream (the hook alone) runs its tasks on the event loops that do its I/O
    /// (see `ServerRuntime.runConcurrencyOnEventLoops`), which must be decided before any task starts. With an
    /// upstream on the command line or in the environment, and for every other command, Swift's own pool stays:
    /// the inbox firewall, which waits on the upstream, measured faster with it (`Benchmarks/diary/2026-12.md`).
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        let upstream = arguments.contains { $0 == "--upstream" || $0.hasPrefix("--upstream=") }
            || ProcessInfo.processInfo.environment["HERDWATCH_PROXY_UPSTREAM"].map { !$0.isEmpty } == true
        if arguments.first == "serve", !upstream {
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
              herdwatch eval --min-recall 0.95 labelled.ndjson
              herdwatch rules lint Rules
              herdwatch rules test Rules
            """,
        subcommands: [
            Serve.self, Check.self, Backtest.self, Eval.self, RulesCommand.self, DatabaseCommand.self, TokenCommand.self, UserCommand.self,
            BlocklistCommand.self, FollowsCommand.self,
        ]
    )
}

/// Options shared by commands that load a rule set.
struct RuleOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory of rule files.", valueName: "dir"))
    var rules: String = RuleOptions.defaultDirectory

    static var defaultDirectory: String { RuleDirectory.defaultPath }
}
