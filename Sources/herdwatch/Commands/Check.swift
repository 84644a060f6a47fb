import ActivityPub
import ArgumentParser
import Foundation
import Reputation
import RuleEngine
import Storage

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate activities and explain each verdict.",
        discussion: """
            Input: a JSON file with one activity, NDJSON (one per line), or `-` for
            standard input. A line is a bare activity or an envelope
              {"id": "...", "activity": {...}, "actor": {...}, "headers": {...}}
            (actor and headers optional). A line that does not parse gets an error
            verdict and the stream goes on.
            With --db, reputation is read from and recorded in the database as the
            stream replays in order; each activity counts at its `published` time.
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

    @Flag(help: "Treat activities without an envelope `signature` as unsigned (they can then only lower trust).")
    var unverified = false

    @Argument(help: ArgumentHelp("Activity files (JSON or NDJSON); `-` reads standard input.", valueName: "file"))
    var files: [String] = ["-"]

    func run() throws {
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
        let engine = RuleEngine(ruleSet: ruleSet)
        let reputation = try db.map { Reputation(store: SQLiteReputationStore(database: try open($0))) }
        var printer = VerdictPrinter(format: format)
        for file in files {
            let items = try InputReader.items(fromFile: file)
            // With a database, reputation for each batch of activities is read in one transaction.
            for start in stride(from: 0, to: items.count, by: 64) {
                let batch = items[start..<min(start + 64, items.count)].map { item in
                    (item, item.payload.map { Normalizer.subject(for: $0.activity, actor: $0.actor ?? defaultActor) })
                }
                if let reputation {
                    do {
                        try reputation.prefetch(batch.compactMap { try? $0.1.get() })
                    } catch {
                        throw fail("reputation store: \(error)")
                    }
                }
                for (item, subject) in batch {
                    switch (item.payload, subject) {
                    case (.failure(let error), _), (_, .failure(let error)):
                        printer.printError(source: item.source, id: item.id, error: error)
                    case (.success(let input), .success(let subject)):
                        let verdict: Verdict
                        if let reputation {
                            do {
                                verdict = try reputation.evaluate(
                                    subject, with: engine, signature: input.signature ?? (unverified ? .unsigned : .verified),
                                    body: input.body, at: subject.published ?? Date())
                            } catch {
                                throw fail("reputation store: \(error)")
                            }
                        } else {
                            verdict = engine.evaluate(subject)
                        }
                        printer.print(source: item.source, id: item.id ?? input.activity.id, verdict: verdict)
                    }
                }
            }
        }
        do {
            try reputation?.flush()
        } catch {
            throw fail("reputation store: \(error)")
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
