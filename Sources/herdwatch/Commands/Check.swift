import ActivityPub
import ArgumentParser
import Foundation
import HerdwatchServer
import Intake
import Reputation
import RuleEngine
import Storage

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate activities and explain each verdict.",
        discussion: """
            Input: a JSON file with one activity, NDJSON (one per line), or `-` for
            standard input. A line is a bare activity or an envelope
              {"id": "...", "activity": {...}, "actor": {...}, "headers": {...}}
            (actor and headers optional). A line that does not parse gets an error
            verdict and the stream goes on.
            Input is read and decoded a batch at a time on the spare cores; verdicts
            come out in input order. With --db, reputation is read from and recorded
            in the database as the stream replays in order; each activity counts at
            its `published` time.
            Replayed activities count as signature-verified unless --unverified is
            given or an envelope says "signature": "unsigned" or "failed" (such
            evidence can lower trust, never raise it).
            Exit status: 0 when everything was accepted or flagged, 1 when anything
            was held or rejected, 3 when nothing was but some input could not be
            evaluated, 2 on usage errors.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @OptionGroup var ruleOptions: RuleOptions

    @Option(help: ArgumentHelp("Actor document (JSON) to evaluate bare activities with.", valueName: "file"))
    var actor: String?

    @Option(help: "Output format: text (readable) or json (one verdict per line).")
    var format: Format = .text

    @Option(name: .long, help: ArgumentHelp("Build and read reputation in this SQLite database.", valueName: "path"))
    var db: String?

    @OptionGroup var local: LocalDomainOptions

    @Flag(help: "Treat activities without an envelope `signature` as unsigned (they can then only lower trust).")
    var unverified = false

    @Argument(help: ArgumentHelp("Activity files (JSON or NDJSON); `-` reads standard input.", valueName: "file"))
    var files: [String] = ["-"]

    func run() async throws {
        let ruleSet = try loadRules(ruleOptions.rules)
        var defaultActor: Actor?
        if let actor {
            guard let data = FileManager.default.contents(atPath: actor) else {
                throw ValidationError("cannot read actor file \(actor)")
            }
            do {
                defaultActor = try Actor.decode(Array(data))
            } catch {
                throw ValidationError("actor file \(actor) is not an actor document: \(error)")
            }
        }
        let database = try db.map { try open($0) }
        let reputation = database.map { Reputation(store: SQLiteReputationStore(database: $0)) }
        // With --db, the follow graph is read from and learned into the database; without, it lives for this run.
        let follows = try local.follows(
            store: database.map { SQLiteFollowStore(database: $0) } ?? InMemoryFollowStore(), quiet: database == nil)
        // The server's assessment step, so a replay decides as the server would have (no cases are opened).
        let assessor = Assessor(
            engines: RuleEngineHolder(RuleEngine(ruleSet: ruleSet)), reputation: reputation, cases: nil, follows: follows)
        var printer = VerdictPrinter(format: format)
        try await StreamReplay(assessor: assessor, defaultActor: defaultActor, unverified: unverified).run(
            files, tag: { _ in () }
        ) {
            source, id, outcome in
            switch outcome {
            case .failure(let error):
                printer.printError(source: source, id: id, error: error)
            case .success(let (assessment, _)):
                printer.print(source: source, id: id ?? assessment.activityID, verdict: assessment.verdict)
            }
        }
        printer.finish()
        if printer.heldOrRejected > 0 { throw ExitCode(1) }
        if printer.failures > 0 { throw ExitCode(3) }
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
