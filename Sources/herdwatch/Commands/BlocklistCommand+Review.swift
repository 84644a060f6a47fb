import ArgumentParser
import Blocklists
import Foundation
import Storage

extension BlocklistCommand {
    /// Review of subscription drafts against the database: `drafts`, `apply`, `dismiss`, `batches`, `undo`.
    static let reviewCommands: [any ParsableCommand.Type] = [
        Drafts.self, Apply.self, Dismiss.self, Batches.self, Undo.self,
    ]

    /// How drafts are merged: the flags of `diff`, and the share that holds a mass retraction. A server's
    /// `blocklist.merge.*` settings are not read here; give the same values.
    struct ReviewOptions: ParsableArguments {
        @Option(help: "Support a subscribed domain needs: count:N, pct:P, weight:W or weighted-pct:P.")
        var threshold: String = "count:0"

        @Option(help: "Which severity wins when lists disagree: max or min.")
        var plan: String = "max"

        @Option(help: ArgumentHelp("A domain never proposed (exact match). Repeat for several.", valueName: "domain"))
        var allow: [String] = []

        @Option(help: ArgumentHelp("Our own domain: never proposed, nor any domain above it.", valueName: "domain"))
        var ownDomain: String?

        @Option(
            help: ArgumentHelp(
                "A domain (with its subdomains) never proposed. Repeat for several.", valueName: "domain"))
        var exclude: [String] = []

        @Option(help: "Hold a subscription's retractions above this share (0 to 1) of the blocks it brought.")
        var massRetractionShare: Double = 0.2

        func validate() throws {
            _ = try settings()
        }

        func settings() throws -> BlocklistReviewSettings {
            guard let severity = MergePlan.SeverityPlan(rawValue: plan) else {
                throw ValidationError("--plan \(plan) is not max or min")
            }
            guard (0...1).contains(massRetractionShare) else {
                throw ValidationError(
                    "--mass-retraction-share \(massRetractionShare) is not a share from 0 to 1 (0.2 is 20 %)")
            }
            do {
                let policy = try DomainPolicy(ownDomain: ownDomain, excludes: exclude)
                var allowlist = Set<String>()
                for domain in allow { allowlist.insert(try BlockDomain.normalize(domain)) }
                return BlocklistReviewSettings(
                    plan: MergePlan(
                        severity: severity, threshold: try Diff.threshold(threshold), allowlist: allowlist,
                        policy: policy),
                    massRetractionShare: massRetractionShare)
            } catch let error as BlocklistError {
                throw ValidationError(error.description)
            }
        }

        func review(_ database: StoreOptions) async throws -> BlocklistReview {
            BlocklistReview(store: try await database.blocklistStore(), settings: try settings())
        }
    }

    /// Who the audit log names for a command line.
    static var cliActor: String {
        ProcessInfo.processInfo.environment["USER"].map { "\($0) (cli)" } ?? "cli"
    }

    static func normalized(_ domain: String) throws -> String {
        do {
            return try BlockDomain.normalize(domain)
        } catch {
            throw ValidationError("\(domain): \(error.message)")
        }
    }

    static func reviewed<T>(_ doing: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as BlocklistReviewError {
            throw fail(error.message)
        } catch let error as ExitCode {
            throw error
        } catch {
            throw fail("cannot \(doing): \(error)")
        }
    }

    struct Drafts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the drafts the subscriptions propose against the applied blocks, grouped.",
            discussion: """
                One line per draft: group, domain, applied and proposed policy, the supporting subscriptions, and
                HELD for a mass retraction (applying it needs --confirm-mass-retraction). Dismissed proposals are
                left out. --format json prints what GET /herdwatch/api/v1/blocklist/drafts answers.
                Example: herdwatch blocklist drafts --db herdwatch.sqlite --threshold count:2
                """)
        @OptionGroup var database: StoreOptions
        @OptionGroup var options: ReviewOptions

        @Option(help: "text or json.")
        var format: String = "text"

        func validate() throws {
            guard ["text", "json"].contains(format) else {
                throw ValidationError("--format \(format) is not text or json")
            }
        }

        func run() async throws {
            let review = try await options.review(database)
            let drafts = try await reviewed("read the drafts") { try await review.drafts() }
            if format == "json" {
                print(try ReviewJSON.text(ReviewJSON.Drafts(drafts)))
                return
            }
            if drafts.isEmpty { print("no drafts: the applied list agrees with the subscriptions") }
            for draft in drafts.all {
                let applied = draft.draft.applied.map { DraftDismissal.policy(of: $0) } ?? "-"
                var line =
                    "\(draft.kind.rawValue)\t\(draft.domain)\t\(applied) -> \(DraftDismissal.policy(of: draft.draft.proposed))"
                let sources =
                    draft.kind == .retraction
                    ? (draft.owner.map { "owner \($0)" } ?? "") : draft.draft.supporters.joined(separator: ",")
                line += "\t\(sources)"
                if draft.isHeld { line += "\tHELD" }
                print(line)
            }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply drafts as one audited batch (undo it with `blocklist undo`).",
            discussion: """
                Give --all or the domains whose drafts to apply. A mass retraction is applied only with
                --confirm-mass-retraction. Nothing is applied when a domain has no draft or changed meanwhile.
                A running server picks the change up within seconds.
                Example: herdwatch blocklist apply --db herdwatch.sqlite spam.example
                """)
        @OptionGroup var database: StoreOptions
        @OptionGroup var options: ReviewOptions

        @Flag(help: "Apply every draft.")
        var all = false

        @Flag(help: "Include held mass retractions.")
        var confirmMassRetraction = false

        @Argument(help: "Domains whose drafts to apply.")
        var domains: [String] = []

        func validate() throws {
            guard all != !domains.isEmpty else { throw ValidationError("give --all or one or more domains, not both") }
        }

        func run() async throws {
            let review = try await options.review(database)
            let selection: BlocklistReview.Selection = all ? .all : .domains(try domains.map(normalized))
            let batch = try await reviewed("apply the drafts") {
                try await review.apply(
                    selection, confirmMassRetraction: confirmMassRetraction, actor: cliActor, channel: .cli)
            }
            print("batch \(batch.id): \(batch.items.count) applied; undo with `herdwatch blocklist undo \(batch.id)`")
        }
    }

    struct Dismiss: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dismiss the drafts for domains: the same proposal never comes back, a different one does.")
        @OptionGroup var database: StoreOptions
        @OptionGroup var options: ReviewOptions

        @Argument(help: "Domains whose drafts to dismiss.")
        var domains: [String]

        func run() async throws {
            let review = try await options.review(database)
            for domain in try domains.map(normalized) {
                let dismissal = try await reviewed("dismiss the draft") {
                    try await review.dismiss(domain: domain, actor: cliActor)
                }
                print("dismissed \(dismissal.kind.rawValue) \(dismissal.domain) \(dismissal.policy)")
            }
        }
    }

    struct Batches: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the recent batches of applied drafts, newest first, with each domain before and after.")
        @OptionGroup var database: StoreOptions

        @Option(help: "How many batches.")
        var limit = 20

        func run() async throws {
            let review = BlocklistReview(store: try await database.blocklistStore())
            let batches = try await reviewed("read the batches") { try await review.batches(limit: max(1, limit)) }
            if batches.isEmpty { print("no batches yet") }
            let formatter = ISO8601DateFormatter()
            for batch in batches {
                let undoes = batch.undoes.map { " undoes \($0)" } ?? ""
                print(
                    "\(batch.id)\t\(formatter.string(from: batch.at))\t\(batch.channel.rawValue)\t\(batch.actor)\(undoes)"
                )
                for item in batch.items {
                    let before = item.before.map { DraftDismissal.policy(of: $0) } ?? "-"
                    print("  \(item.domain)\t\(before) -> \(DraftDismissal.policy(of: item.after))")
                }
            }
        }
    }

    struct Undo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Undo a batch: each domain back to its entry before it, as a new batch.",
            discussion: "Refused, naming the domain, when a domain of the batch changed after it.")
        @OptionGroup var database: StoreOptions

        @Argument(help: "The batch number (see `blocklist batches`).")
        var batch: Int64

        func run() async throws {
            let review = BlocklistReview(store: try await database.blocklistStore())
            let undo = try await reviewed("undo the batch") {
                try await review.undo(batch: batch, actor: cliActor, channel: .cli)
            }
            print("batch \(undo.id) undid batch \(batch): \(undo.items.count) restored")
        }
    }
}
