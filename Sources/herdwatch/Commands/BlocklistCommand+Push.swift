import ArgumentParser
import AsyncHTTPClient
import Blocklists
import Foundation
import HerdwatchServer
import Storage

extension BlocklistCommand {
    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Push the database's applied blocks to a Mastodon server through its admin API.",
            discussion: """
                Reads the server's domain blocks (every page), then creates what is missing, updates the blocks
                the push made before and deletes those whose entry is retracted or gone. A block the push makes
                carries a line starting "[managed by Herdwatch]" in its private comment; blocks without it were
                made by someone else and are never changed: where they differ from ours they are reported as
                conflicts. To take a pushed block over, an admin deletes the marker line in Mastodon.
                --max-follows N asks the server's instance_follows measure before every new suspension and
                escalation to suspend, and holds it when local accounts follow the domain more than N times
                (0: hold when anyone follows it). Without it no follows are counted.
                After pushing, the list is read back and every change checked.
                The token (admin:read and admin:write scopes) comes from --token-file or standard input.
                Plain http is allowed only to loopback addresses.
                Exit status: 0 when every change was made and verified (conflicts and held suspensions are
                reported), 1 when a change failed or the read-back differs, 2 on errors.
                Example: herdwatch blocklist push --db herdwatch.sqlite --to https://mastodon.example \\
                           --token-file ~/.config/herdwatch/push-token --max-follows 0 --dry-run
                """)
        @OptionGroup var database: StoreOptions

        @Option(help: ArgumentHelp("The Mastodon server's URL.", valueName: "url"))
        var to: String

        @Option(
            help: ArgumentHelp(
                "A file holding the admin token (else it is read from standard input).", valueName: "file"))
        var tokenFile: String?

        @Flag(help: "Show what would change; send nothing but reads (and measures).")
        var dryRun = false

        @Option(
            help: ArgumentHelp(
                "Hold suspensions of domains local accounts follow more than N times.", valueName: "N"))
        var maxFollows: Int?

        @Option(help: ArgumentHelp("Output: text or json.", valueName: "format"))
        var format: String = "text"

        @Option(
            help: ArgumentHelp("Most seconds to wait in all on a rate-limiting server (429).", valueName: "seconds"))
        var maxRateLimitWait: Int = 300

        func validate() throws {
            if !["text", "json"].contains(format) { throw ValidationError("--format must be text or json") }
            if let maxFollows, maxFollows < 0 { throw ValidationError("--max-follows must be 0 or more") }
            if maxRateLimitWait < 0 { throw ValidationError("--max-rate-limit-wait must be 0 or more") }
        }

        func run() async throws {
            let base: String
            do {
                base = try MastodonAdminClient.destination(to)
            } catch {
                throw fail(error.message)
            }
            let token = try readToken()
            let applied: [DomainBlock]
            do {
                applied = try await database.blocklistStore().blocks()
            } catch let exit as ExitCode {
                throw exit
            } catch {
                throw fail("cannot read the blocks of \(database.label): \(error)")
            }
            let http = ServerComponents.makeHTTPClient()
            let client = MastodonAdminClient(
                base: base, token: token, http: http,
                budget: RateLimitBudget(totalWait: .seconds(maxRateLimitWait)))
            let push = BlocklistPush(client: client, maxFollows: maxFollows, dryRun: dryRun)
            let outcome: Result<PushReport, PushRequestError>
            do {
                outcome = .success(try await push.run(applied: applied))
            } catch {
                outcome = .failure(error)
            }
            try? await http.shutdown()
            let report: PushReport
            switch outcome {
            case .success(let made): report = made
            case .failure(let error): throw fail("push to \(base) stopped: \(error.message)")
            }
            if format == "json" {
                let encoder = JSONEncoder()
                encoder.keyEncodingStrategy = .convertToSnakeCase
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(report.text)
            }
            if report.failed > 0 || !report.mismatches.isEmpty { throw ExitCode(1) }
        }

        private func readToken() throws -> String {
            let data: Data
            let source: String
            if let tokenFile {
                source = tokenFile
                guard let read = FileManager.default.contents(atPath: tokenFile) else {
                    throw fail("cannot read the token file \(tokenFile); check the path and its permissions")
                }
                data = read
            } else {
                source = "standard input"
                data = FileHandle.standardInput.readDataToEndOfFile()
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty, !token.contains(where: \.isWhitespace) else {
                throw fail(
                    "\(source) holds no token (or more than one word); give a token with the admin:read and "
                        + "admin:write scopes in --token-file FILE or on standard input")
            }
            return token
        }
    }
}
