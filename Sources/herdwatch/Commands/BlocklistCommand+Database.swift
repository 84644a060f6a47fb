import ArgumentParser
import Blocklists
import Foundation
import Storage

extension BlocklistCommand {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply a list file to the database's blocks: all of it, or nothing when a row is refused.",
            discussion: """
                The format is detected unless given with --format. Every refused row is reported on standard
                error as FILE:line N: reason (or entry N for JSON), and then nothing is applied: correct or
                remove the rows and import again. A new domain is added; a listed one is changed when the file
                says otherwise (a stored private comment is kept when the file has none); the rest is unchanged.
                A running server picks the change up within seconds.
                Exit status: 0 when applied, 1 when rows were refused (nothing applied), 2 on errors.
                Example: herdwatch blocklist import --db herdwatch.sqlite peers.csv
                """)
        @OptionGroup var database: StoreOptions

        @Argument(help: "The list file.")
        var file: String

        @Option(help: "Format of the file (detected when left out).", transform: parseFormat)
        var format: BlocklistFormat?

        @Option(help: ArgumentHelp("Our own domain: never blocked, nor any domain above it.", valueName: "domain"))
        var ownDomain: String?

        @Option(
            help: ArgumentHelp(
                "A domain (with its subdomains) no list may block. Repeat for several.", valueName: "domain"))
        var exclude: [String] = []

        func run() async throws {
            let policy: DomainPolicy
            do {
                policy = try DomainPolicy(ownDomain: ownDomain, excludes: exclude)
            } catch {
                throw ValidationError(error.description)
            }
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw fail("cannot read \(file): \(error.localizedDescription); check the path")
            }
            let list: BlocklistImport
            do {
                list = try BlocklistImport(
                    parsing: text, format: format, policy: policy,
                    provenance: BlockProvenance(origin: .list((file as NSString).lastPathComponent), at: Date()))
            } catch {
                throw fail("\(file): \(error); nothing was applied")
            }
            if !list.rejections.isEmpty {
                var standardError = StandardError()
                for rejection in list.rejections {
                    print("\(file):\(TerminalText.safe(rejection.description))", to: &standardError)
                }
                print(
                    "herdwatch: \(file): \(list.rejections.count) of \(list.rejections.count + list.entries.count) "
                        + "rows refused, so nothing was applied; correct or remove them and import again",
                    to: &standardError)
                throw ExitCode(1)
            }
            let store = try await database.blocklistStore()
            do {
                let outcome = try await store.apply(list.entries)
                print(
                    "\(file) (\(list.format.rawValue)): \(outcome.added) added, \(outcome.changed) changed, "
                        + "\(outcome.unchanged) unchanged")
            } catch {
                throw fail("cannot apply \(file): \(error); nothing was applied")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the database's active blocks, one per line: domain, severity and flags, public comment.")
        @OptionGroup var database: StoreOptions

        func run() async throws {
            let store = try await database.blocklistStore()
            let blocks: [DomainBlock]
            do {
                blocks = try await store.blocks().filter { $0.state == .active }
            } catch {
                throw fail("cannot read blocks: \(error)")
            }
            if blocks.isEmpty { print("no blocks; add some with `herdwatch blocklist import --db FILE LIST`") }
            for block in blocks {
                let policy =
                    [block.severity.rawValue] + (block.rejectMedia ? ["reject_media"] : [])
                    + (block.rejectReports ? ["reject_reports"] : [])
                print("\(block.domain)\t\(policy.joined(separator: "+"))\t\(TerminalText.safe(block.publicComment))")
            }
        }
    }
}
