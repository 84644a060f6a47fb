import ArgumentParser

@main
struct HerdwatchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herdwatch-bench",
        abstract: "Herdwatch's benchmarks: the rule engine, a replayed stream, the server under load, JSON parsing.",
        discussion: """
            Build with -c release (the figures of a debug build say nothing); see Benchmarks/README.md.
              herdwatch-bench                   the rule engine on 1,000 generated rules (`engine`)
              herdwatch-bench stream            rules and reputation over a replayed stream, on SQLite
              herdwatch-bench serve             the hook and the firewall under wrk, next to a bare endpoint
              herdwatch-bench json              our JSON parser against Foundation's
              herdwatch-bench queue             moderators working 100,000 cases through the API
              herdwatch-bench nodes             the hook on SQLite, on PostgreSQL and on two nodes sharing PostgreSQL
              herdwatch-bench media             a delivery's cost with media.inspect: off, cached, fetched, too slow
            """,
        subcommands: [
            BenchEngine.self, BenchStream.self, BenchServe.self, BenchJSON.self, BenchBareEndpoint.self, BlocklistBench.self, QueueBench.self,
            AdminAPIBench.self, NodesBench.self, BenchMedia.self,
        ],
        defaultSubcommand: BenchEngine.self)
}
