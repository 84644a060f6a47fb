import ArgumentParser
import Blocklists
import Foundation
import HerdwatchServer
import Logging
import Storage

extension BlocklistCommand {
    struct Subscribe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Subscribe to a peer's list (or change a subscription): where it is, how to verify it, how far to trust it.",
            discussion: """
                With --key (the publisher's public key, as `herdwatch blocklist keys` prints it on their side),
                only a signed snapshot, or a file with its detached signature at URL.sig, that verifies is
                accepted. Fetched every --interval seconds by `herdwatch serve`, or now with `blocklist sync`.
                Example:
                  herdwatch blocklist subscribe peer-a https://a.example/herdwatch/blocklist/snapshot.json \\
                    --key BASE64 --weight 2 --cap silence --db herdwatch.sqlite
                """)
        @OptionGroup var database: StoreOptions

        @Argument(help: "A short name: 1–64 characters of a-z, 0-9 and -.")
        var id: String

        @Argument(help: "Where the list is published (http or https).")
        var url: String

        @Option(help: "The list's format (detected from each fetch when left out).", transform: parseFormat)
        var format: BlocklistFormat?

        @Option(name: .customLong("key"), help: "The publisher's Ed25519 public key (base64). Repeat for several.")
        var keys: [String] = []

        @Option(help: "A bearer token the publisher gave us.")
        var token: String?

        @Option(help: "This list's share in weighted thresholds.")
        var weight: Double = 1

        @Option(help: "The most this list may ask for: noop, silence or suspend.", transform: parseSeverity)
        var cap: BlockSeverity = .suspend

        @Option(
            name: .customLong("trust-reason"),
            help: "Count this list only for entries with this reason. Repeat for several.", transform: parseReason)
        var trustReasons: [BlockReason] = []

        @Option(
            name: .customLong("auto-apply"),
            help:
                "Apply drafts of this kind without review (addition, escalation, downgrade; never new suspensions or retractions). Repeat for several.",
            transform: parseDraftKind)
        var autoApply: [BlocklistDraft.Kind] = []

        @Option(help: "Seconds between scheduled fetches (at least 60).")
        var interval: Int = 3600

        @Option(help: "Higher first when lists disagree on comments.")
        var priority: Int = 0

        func run() async throws {
            let subscription: BlocklistSubscription
            do {
                subscription = try BlocklistSubscription(
                    id: id, url: url, format: format, token: token, publicKeys: keys, weight: weight, severityCap: cap,
                    trustedReasons: trustReasons.isEmpty ? nil : Set(trustReasons), priority: priority,
                    autoApply: Set(autoApply), interval: TimeInterval(interval)
                ).validated()
            } catch {
                throw ValidationError(error.description)
            }
            let store = try await database.blocklistStore()
            do {
                let existing = try await store.subscription(id: id)
                var saved = subscription
                if let existing { saved.createdAt = existing.createdAt }
                try await store.saveSubscription(saved)
                print(
                    "\(existing == nil ? "subscribed" : "updated") \(id): \(url)"
                        + (keys.isEmpty ? " (unsigned: entries are not verified)" : " (\(keys.count) key(s))"))
            } catch {
                throw fail("cannot save subscription \(id): \(error)")
            }
        }
    }

    struct Subscriptions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List subscriptions with what their last fetch did.",
            discussion:
                "One line each: id, url, format, keys, entries, last accepted snapshot, last success, last error.")
        @OptionGroup var database: StoreOptions

        func run() async throws {
            let store = try await database.blocklistStore()
            do {
                let subscriptions = try await store.subscriptions()
                if subscriptions.isEmpty {
                    print("no subscriptions; add one with `herdwatch blocklist subscribe ID URL --db FILE`")
                }
                for subscription in subscriptions {
                    let state = try await store.fetchState(subscriptionID: subscription.id)
                    print(Self.line(subscription, state))
                }
            } catch {
                throw fail("cannot read subscriptions: \(error)")
            }
        }

        static func line(_ subscription: BlocklistSubscription, _ state: BlocklistFetchState) -> String {
            let success = state.lastSuccess.map { ISO8601DateFormatter().string(from: $0) } ?? "never"
            return [
                subscription.id, subscription.url, subscription.format?.rawValue ?? "detect",
                "keys=\(subscription.publicKeys.count)", "entries=\(state.entryCount)",
                "sequence=\(state.checkpoint.map { String($0.sequence) } ?? "-")", "success=\(success)",
                "error=\(state.lastError ?? "-")",
            ].joined(separator: "\t")
        }
    }

    struct Unsubscribe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a subscription, what it carried and its fetch state.")
        @OptionGroup var database: StoreOptions

        @Argument(help: "The subscription's id.")
        var id: String

        func run() async throws {
            let store = try await database.blocklistStore()
            let removed: Bool
            do {
                removed = try await store.removeSubscription(id: id)
            } catch {
                throw fail("cannot remove subscription \(id): \(error)")
            }
            guard removed else {
                throw fail("there is no subscription \(id); list them with `herdwatch blocklist subscriptions`")
            }
            print("unsubscribed \(id)")
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch subscriptions now (all enabled ones, or one), without a server.",
            discussion: """
                Prints one line per subscription: updated (with the entry count), unchanged, rejected or failed
                with the reason. A refused fetch keeps the entries the subscription had.
                Exit status: 0 when every fetch succeeded, 1 when one was refused or failed, 2 on errors.
                Example: herdwatch blocklist sync peer-a --db herdwatch.sqlite
                """)
        @OptionGroup var database: StoreOptions

        @Argument(help: "The subscription to fetch (all enabled ones when left out).")
        var id: String?

        @Option(help: "Seconds a fetch may take, connection to last byte.")
        var timeout: Int = 30

        @Flag(help: "Allow fetching from loopback and private addresses (closed networks, tests).")
        var allowPrivateAddresses = false

        func run() async throws {
            let store = try await database.blocklistStore()
            let chosen: [BlocklistSubscription]
            do {
                if let id {
                    guard let subscription = try await store.subscription(id: id) else {
                        throw fail("there is no subscription \(id); list them with `herdwatch blocklist subscriptions`")
                    }
                    chosen = [subscription]
                } else {
                    chosen = try await store.subscriptions().filter(\.enabled)
                }
            } catch let error as ExitCode {
                throw error
            } catch {
                throw fail("cannot read subscriptions: \(error)")
            }
            let fetcher = BlocklistSubscriptionFetcher(
                store: store,
                settings: BlocklistFeedSettings(
                    fetchTimeout: TimeInterval(max(1, timeout)), allowPrivateAddresses: allowPrivateAddresses),
                logger: Logger(label: "herdwatch", factory: { _ in SwiftLogNoOpLogHandler() }))
            var failed = false
            for subscription in chosen {
                let outcome: BlocklistSyncOutcome
                do {
                    outcome = try await fetcher.sync(subscription)
                } catch {
                    throw fail("cannot record the fetch of \(subscription.id): \(error)")
                }
                switch outcome.result {
                case .updated(let entries):
                    let sequence = outcome.state.checkpoint.map { ", snapshot \($0.sequence)" } ?? ""
                    print("\(subscription.id): updated, \(entries) entries\(sequence)")
                case .unchanged:
                    print("\(subscription.id): unchanged")
                case .rejected(let reason):
                    failed = true
                    print("\(subscription.id): rejected: \(TerminalText.safe(reason))")
                case .failed(let reason):
                    failed = true
                    print("\(subscription.id): failed: \(TerminalText.safe(reason))")
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}

func parseSeverity(_ name: String) throws -> BlockSeverity {
    guard let severity = BlockSeverity(rawValue: name) else {
        throw ValidationError("\(name) is not a severity; use noop, silence or suspend")
    }
    return severity
}

func parseReason(_ name: String) throws -> BlockReason {
    guard let reason = BlockReason(tag: name) else {
        throw ValidationError(
            "\(name) is not a reason; use one of \(BlockReason.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return reason
}

func parseDraftKind(_ name: String) throws -> BlocklistDraft.Kind {
    guard let kind = BlocklistDraft.Kind(rawValue: name) else {
        throw ValidationError(
            "\(name) is not a draft kind; use one of \(BlocklistDraft.Kind.allCases.map(\.rawValue).joined(separator: ", "))"
        )
    }
    return kind
}
