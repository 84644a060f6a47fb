import ActivityPub
import ArgumentParser
import Foundation

/// `herdwatch-bench json`: our JSON parser against Foundation's, on the fixture activities.
struct BenchJSON: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json",
        abstract: "Time our JSON parser and Activity against Foundation's JSONSerialization and JSONDecoder.",
        discussion: """
            Parses every activity of the fixtures folder, as stored, in four ways:
              (1) JSONValue.parse                 our parser, to a JSON tree (with its limits)
              (2) JSONSerialization.jsonObject    Foundation, to a JSON tree
              (3) Activity.decode                 our parser and the activity model
              (4) JSONDecoder → DecodableActivity Foundation, to a tolerant Decodable of the activity's fields
            It first checks that (3) and (4) read the same id, type, actor, addressing and object id from every
            fixture. Reports the median time of a pass over all fixtures as MB/s and parses/s.
            Build with -c release; see Benchmarks/README.md.
            Exit status: 0 after measuring, 1 when (3) and (4) disagree, 2 on usage errors.
            """)

    @Option(help: "Timed passes over all fixtures, for each parser.")
    var passes = 200

    @Option(help: ArgumentHelp("Folder of activities (*.json).", valueName: "dir"))
    var fixtures = "Fixtures/activities"

    @Option(help: "Output format: text (a table) or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard passes >= 10 else { throw ValidationError("--passes must be at least 10 to give a median") }
    }

    func run() throws {
        let corpus: JSONCorpus
        do {
            corpus = try JSONCorpus(directory: fixtures)
        } catch {
            throw fail("cannot read the activities in \(fixtures): \(error); pass a folder of *.json with --fixtures")
        }
        guard !corpus.documents.isEmpty else { throw fail("no *.json in \(fixtures); pass a folder with --fixtures") }
        let disagreements = corpus.disagreements()
        guard disagreements.isEmpty else {
            for line in disagreements { printToStandardError("herdwatch-bench json: \(line)") }
            throw ExitCode(1)
        }
        let report = try JSONBenchReport(corpus: corpus, passes: passes)
        try format.print(report)
    }
}
