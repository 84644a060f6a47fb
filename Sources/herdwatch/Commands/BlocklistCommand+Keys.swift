import ArgumentParser
import Blocklists
import Foundation
import Storage

extension BlocklistCommand {
    /// `herdwatch blocklist keys [list|generate|rotate] --db FILE`: the Ed25519 keys our published list is signed
    /// with.
    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, generate or rotate the keys that sign the published list.",
            discussion: """
                list: every key with its id, public key (what subscribers pass to `blocklist subscribe --key`),
                and validity. generate: the first key (refused when one is current). rotate: a new current
                key; the old one keeps signing beside it for --overlap seconds (default 14 days), so
                subscribers pinned to it keep verifying while they add the new key.
                Published at /.well-known/herdwatch-blocklist-keys.
                Example: herdwatch blocklist keys generate --db herdwatch.sqlite
                """)

        enum Action: String, ExpressibleByArgument, CaseIterable {
            case list, generate, rotate
        }

        @OptionGroup var database: StoreOptions

        @Argument(help: "list, generate or rotate.")
        var action: Action = .list

        @Option(help: "Seconds the replaced key keeps signing after rotate.")
        var overlap: Int = 14 * 86_400

        func validate() throws {
            guard overlap >= 0 else { throw ValidationError("--overlap must be a number of seconds ≥ 0") }
        }

        func run() async throws {
            let store = try await database.blocklistStore()
            var keyring: BlocklistKeyring
            do {
                keyring = BlocklistKeyring(try await store.signingKeys())
            } catch {
                throw fail("cannot read the signing keys: \(error)")
            }
            let now = Date()
            switch action {
            case .list:
                if keyring.keys.isEmpty {
                    print("no signing key; create one with `herdwatch blocklist keys generate \(database.option)`")
                }
                for key in keyring.keys { print(Self.line(key, now: now)) }
            case .generate:
                if let current = keyring.current {
                    throw fail(
                        "key \(current.id) is already current; use `herdwatch blocklist keys rotate` to replace it")
                }
                let key = BlocklistSigningKey.generate(now: now)
                try await save([key], to: store)
                print(Self.line(key, now: now))
            case .rotate:
                guard keyring.current != nil else {
                    throw fail("there is no current key to rotate; create one with `herdwatch blocklist keys generate`")
                }
                let changed = keyring.rotate(now: now, overlap: TimeInterval(overlap))
                try await save(changed, to: store)
                for key in changed { print(Self.line(key, now: now)) }
            }
        }

        private func save(_ keys: [BlocklistSigningKey], to store: any BlocklistFeedStore) async throws {
            do {
                try await store.saveSigningKeys(keys)
            } catch {
                throw fail("cannot save the signing key: \(error); nothing was changed")
            }
        }

        /// `ID PUBLIC-KEY current|signs until DATE|retired`.
        static func line(_ key: BlocklistSigningKey, now: Date) -> String {
            let state: String
            if let until = key.validUntil {
                let date = ISO8601DateFormatter().string(from: until)
                state = key.isValid(at: now) ? "signs until \(date)" : "retired \(date)"
            } else {
                state = "current"
            }
            return "\(key.id)\t\(key.publicKey)\t\(state)"
        }
    }
}
