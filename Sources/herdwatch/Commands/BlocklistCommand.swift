import ArgumentParser
import Blocklists
import Foundation

/// `herdwatch blocklist …`: domain-block lists on files (no database, no server).
struct BlocklistCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blocklist",
        abstract: "Convert, export and diff domain-block lists on files.",
        discussion: """
            Formats: \(BlocklistFormat.allCases.map(\.rawValue).joined(separator: ", ")).
            The format of an input file is detected unless given with --from.
            Every refused row is reported on standard error as FILE:line N: reason (or entry N for JSON);
            a list with no usable entry is an error.
            Examples:
              herdwatch blocklist convert peers.csv --to gotosocial-json
              herdwatch blocklist export ours.csv --format mastodon-csv
              herdwatch blocklist diff applied.csv peer-a.csv peer-b.json --threshold pct:50
            """,
        subcommands: [
            Convert.self, Export.self, Diff.self, Import.self, List.self, Keys.self, Subscribe.self, Subscriptions.self,
            Unsubscribe.self, Sync.self, Push.self,
        ] + reviewCommands)

    /// Options for reading lists.
    struct Reading: ParsableArguments {
        @Option(help: "Format of the input files (detected when left out).", transform: parseFormat)
        var from: BlocklistFormat?

        @Option(help: ArgumentHelp("Our own domain: never blocked, nor any domain above it.", valueName: "domain"))
        var ownDomain: String?

        @Option(
            help: ArgumentHelp(
                "A domain (with its subdomains) no list may block. Repeat for several.", valueName: "domain"))
        var exclude: [String] = []

        func policy() throws -> DomainPolicy {
            do {
                return try DomainPolicy(ownDomain: ownDomain, excludes: exclude)
            } catch {
                throw ValidationError(error.description)
            }
        }

        /// The list in `path`, its rejections reported on standard error.
        func read(_ path: String, policy: DomainPolicy, origin: BlockProvenance.Origin) throws -> BlocklistImport {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw fail("cannot read \(path): \(error.localizedDescription); check the path")
            }
            do {
                let list = try BlocklistImport(
                    parsing: text, format: from, policy: policy, provenance: BlockProvenance(origin: origin, at: Date())
                )
                var standardError = StandardError()
                for rejection in list.rejections {
                    print("\(path):\(TerminalText.safe(rejection.description))", to: &standardError)
                }
                return list
            } catch {
                throw fail("\(path): \(error)")
            }
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read one list and write it in another format.",
            discussion: """
                Writes to standard output (or --output). Private comments are written only with
                --include-private-comments, and only by the FediBlockHole formats.
                Exit status: 0 when every row was read, 1 when some rows were refused (the rest is written),
                2 on errors (unreadable file, empty list).
                """)
        @OptionGroup var reading: Reading

        @Argument(help: "The list file.")
        var file: String

        @Option(help: "Format to write.", transform: parseFormat)
        var to: BlocklistFormat

        @Flag(help: "Write private comments (FediBlockHole CSV and JSON).")
        var includePrivateComments = false

        @Option(name: .shortAndLong, help: "Write here instead of standard output.")
        var output: String?

        func run() throws {
            let list = try reading.read(file, policy: try reading.policy(), origin: .list(file))
            let text = BlocklistExport.render(
                list.entries, as: to, options: .init(includePrivateComments: includePrivateComments))
            try write(text, to: output)
            if !list.rejections.isEmpty { throw ExitCode(1) }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the published view of our lists: no private comments, optionally suspensions only.",
            discussion: """
                Several files are merged (the strictest severity wins). GoToSocial's formats are always
                suspensions only. Exit status as for convert.
                """)
        @OptionGroup var reading: Reading

        @Argument(help: "Our list files.")
        var files: [String]

        @Option(help: "Format to write.", transform: parseFormat)
        var format: BlocklistFormat

        @Flag(help: "Write suspensions only.")
        var suspendOnly = false

        @Option(name: .shortAndLong, help: "Write here instead of standard output.")
        var output: String?

        func validate() throws {
            if files.isEmpty { throw ValidationError("name at least one list file") }
        }

        func run() throws {
            let policy = try reading.policy()
            var refused = false
            var sources: [BlocklistSource] = []
            for file in files {
                let list = try reading.read(file, policy: policy, origin: .list(file))
                refused = refused || !list.rejections.isEmpty
                sources.append(BlocklistSource(id: file, entries: list.entries, isSubscription: false))
            }
            let merged = BlocklistMerge.merge(sources, plan: MergePlan(policy: policy)).map(\.block)
            try write(BlocklistExport.render(merged, as: format, options: .init(suspendOnly: suspendOnly)), to: output)
            if refused { throw ExitCode(1) }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge subscribed lists and show the drafts against the applied list.",
            discussion: """
                Drafts are grouped as additions (+), escalations (^), downgrades (v) and retractions (-).
                The applied list's entries count as ours unless --applied-from-subscriptions: ours are never
                downgraded or retracted by a merge.
                Threshold: count:N, pct:P, weight:W or weighted-pct:P (FediBlockHole's count and pct).
                Exit status: 0 when there is no draft, 1 when there are drafts, 2 on errors.
                """)
        @OptionGroup var reading: Reading

        @Argument(help: "The applied list, then the subscribed lists.")
        var files: [String]

        @Option(help: "Which severity wins: max or min.")
        var plan: String = "max"

        @Option(help: "How much support a domain needs (see above).")
        var threshold: String = "count:0"

        @Option(help: ArgumentHelp("A domain never kept (exact match). Repeat for several.", valueName: "domain"))
        var allow: [String] = []

        @Option(
            help: ArgumentHelp(
                "A subscribed list's weight, as FILE=WEIGHT. Repeat for several.", valueName: "file=weight"))
        var weight: [String] = []

        @Flag(help: "Treat the applied list as brought by subscriptions (so it can be downgraded and retracted).")
        var appliedFromSubscriptions = false

        func validate() throws {
            if files.count < 2 { throw ValidationError("name the applied list and at least one subscribed list") }
            if MergePlan.SeverityPlan(rawValue: plan) == nil { throw ValidationError("--plan must be max or min") }
            _ = try Self.threshold(threshold)
            _ = try weights()
        }

        func run() throws {
            let policy = try reading.policy()
            let appliedOrigin: BlockProvenance.Origin =
                appliedFromSubscriptions ? .subscription(files[0]) : .list(files[0])
            let applied = try reading.read(files[0], policy: policy, origin: appliedOrigin).entries
            let weights = try weights()
            var sources: [BlocklistSource] = []
            for file in files.dropFirst() {
                let list = try reading.read(file, policy: policy, origin: .subscription(file))
                sources.append(BlocklistSource(id: file, entries: list.entries, weight: weights[file] ?? 1))
            }
            var allowlist = Set<String>()
            for domain in allow {
                guard let normal = try? BlockDomain.normalize(domain) else {
                    throw fail("--allow \(domain) is not a domain that could be blocked; write a host name")
                }
                allowlist.insert(normal)
            }
            let mergePlan = MergePlan(
                severity: MergePlan.SeverityPlan(rawValue: plan)!, threshold: try Self.threshold(threshold),
                allowlist: allowlist, policy: policy)
            let diff = BlocklistDiff(applied: applied, merged: BlocklistMerge.merge(sources, plan: mergePlan))
            for draft in diff.all { print(Self.line(draft)) }
            print(
                "\(diff.additions.count) additions, \(diff.escalations.count) escalations, "
                    + "\(diff.downgrades.count) downgrades, \(diff.retractions.count) retractions")
            if !diff.isEmpty { throw ExitCode(1) }
        }

        private func weights() throws -> [String: Double] {
            var weights: [String: Double] = [:]
            for item in weight {
                guard let equals = item.lastIndex(of: "="), let value = Double(item[item.index(after: equals)...]),
                    value >= 0
                else {
                    throw ValidationError("--weight \(item) is not FILE=WEIGHT with a number of 0 or more")
                }
                weights[String(item[..<equals])] = value
            }
            return weights
        }

        static func threshold(_ text: String) throws -> MergePlan.Threshold {
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            if parts.count == 2, let value = Double(parts[1]), value >= 0 {
                switch parts[0] {
                case "count" where value == value.rounded(): return .count(Int(value))
                case "pct": return .percent(value)
                case "weight": return .weight(value)
                case "weighted-pct": return .weightedPercent(value)
                default: break
                }
            }
            throw ValidationError(
                "--threshold \(text) is not count:N, pct:P, weight:W or weighted-pct:P (e.g. count:2, pct:50)")
        }

        static func line(_ draft: BlocklistDraft) -> String {
            func policy(_ block: DomainBlock?) -> String {
                guard let block else { return "" }
                return
                    ([block.severity.rawValue] + (block.rejectMedia ? ["reject_media"] : [])
                    + (block.rejectReports ? ["reject_reports"] : [])).joined(separator: "+")
            }
            let supporters = draft.supporters.isEmpty ? "" : "  (\(draft.supporters.joined(separator: ", ")))"
            switch draft.kind {
            case .addition: return "+ \(draft.domain)  \(policy(draft.proposed))\(supporters)"
            case .escalation:
                return "^ \(draft.domain)  \(policy(draft.applied)) -> \(policy(draft.proposed))\(supporters)"
            case .downgrade:
                return "v \(draft.domain)  \(policy(draft.applied)) -> \(policy(draft.proposed))\(supporters)"
            case .retraction: return "- \(draft.domain)  \(policy(draft.applied))"
            }
        }
    }
}

/// The format named `name` on the command line.
func parseFormat(_ name: String) throws -> BlocklistFormat {
    guard let format = BlocklistFormat(rawValue: name) else {
        throw ValidationError(
            "\(name) is not a list format; use one of \(BlocklistFormat.allCases.map(\.rawValue).joined(separator: ", "))"
        )
    }
    return format
}

/// Writes `text` to `path`, or to standard output when nil.
private func write(_ text: String, to path: String?) throws {
    guard let path else {
        FileHandle.standardOutput.write(Data(text.utf8))
        return
    }
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    } catch {
        throw fail("cannot write \(path): \(error.localizedDescription)")
    }
}
