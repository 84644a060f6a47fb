public import Blocklists
import Foundation
import Testing

/// What every `BlocklistFeedStore` implementation must do; each store is also the `BlocklistStore` whose applied
/// list it publishes.
public enum BlocklistFeedStoreConformance {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    public static let checks: [ConformanceCheck<any BlocklistFeedStore & BlocklistStore>] = [
        ConformanceCheck("without a key nothing is published") {
            (store: any BlocklistFeedStore & BlocklistStore) async throws in
            try await store.save(DomainBlock(domain: "bad.example"))
            #expect(try await store.publishedSnapshot(publisher: "a.example", validity: 3600, now: start) == nil)
        },
        ConformanceCheck("a snapshot is reissued only when the list changes or ages, and the chain holds") {
            (store: any BlocklistFeedStore & BlocklistStore) async throws in
            let key = BlocklistSigningKey.generate(now: start)
            try await store.saveSigningKeys([key])
            try await store.save(DomainBlock(domain: "bad.example"))
            try await store.save(
                DomainBlock(domain: "relayed.example", provenance: BlockProvenance(origin: .subscription("peer"))))
            let first = try #require(
                try await store.publishedSnapshot(publisher: "a.example", validity: 3600, now: start))
            #expect(first.snapshot.sequence == 1)
            #expect(first.snapshot.entries.map(\.domain) == ["bad.example"])
            let again = try #require(
                try await store.publishedSnapshot(publisher: "a.example", validity: 3600, now: start + 60))
            #expect(again.envelope == first.envelope)

            try await store.retract(domain: "bad.example", provenance: BlockProvenance(origin: .person("admin")))
            let second = try #require(
                try await store.publishedSnapshot(publisher: "a.example", validity: 3600, now: start + 120))
            #expect(second.snapshot.sequence == 2)
            #expect(second.snapshot.entries.map(\.state) == [.retracted])
            let verified = try BlocklistFeedVerifier.snapshot(
                second.envelope, trustedKeys: [key.publicKey], last: first.snapshot.checkpoint, now: start + 120)
            #expect(verified.previousSHA256 == first.snapshot.checkpoint.sha256)

            // Past half its validity, the same list is signed again, later in the chain.
            let aged = try #require(
                try await store.publishedSnapshot(publisher: "a.example", validity: 3600, now: start + 2000))
            #expect(aged.snapshot.sequence == 3)
            #expect(try await store.publishedSnapshot(sequence: 1)?.envelope == first.envelope)
        },
        ConformanceCheck("only the snapshots a payload's history reaches are kept") {
            (store: any BlocklistFeedStore & BlocklistStore) async throws in
            try await store.saveSigningKeys([BlocklistSigningKey.generate(now: start)])
            try await store.save(DomainBlock(domain: "bad.example"))
            var last: PublishedSnapshot?
            for step in 0..<70 {
                last = try await store.publishedSnapshot(
                    publisher: "a.example", validity: 100, now: start + Double(step) * 60)
            }
            let latest = try #require(last)
            #expect(latest.snapshot.sequence == 70)
            #expect(latest.snapshot.history.count == BlocklistSnapshot.historyLength)
            #expect(latest.snapshot.history.last?.sequence == 6)
            #expect(try await store.publishedSnapshot(sequence: 5) == nil)
            #expect(try await store.publishedSnapshot(sequence: 6) != nil)
        },
        ConformanceCheck("after rotation both keys sign until the overlap ends") {
            (store: any BlocklistFeedStore & BlocklistStore) async throws in
            var keyring = BlocklistKeyring([BlocklistSigningKey.generate(now: start)])
            let old = try #require(keyring.current)
            try await store.saveSigningKeys(keyring.keys)
            try await store.save(DomainBlock(domain: "bad.example"))
            let changed = keyring.rotate(now: start + 10, overlap: 600)
            try await store.saveSigningKeys(changed)
            let stored = BlocklistKeyring(try await store.signingKeys())
            #expect(stored.current?.id == changed[0].id)
            let during = try #require(
                try await store.publishedSnapshot(publisher: "a.example", validity: 3600, now: start + 20))
            #expect(during.keys.map(\.id) == [changed[0].id, old.id])
            for trusted in [old.publicKey, changed[0].publicKey] {
                _ = try BlocklistFeedVerifier.snapshot(
                    during.envelope, trustedKeys: [trusted], last: nil, now: start + 20)
            }
            let after = try #require(
                try await store.publishedSnapshot(publisher: "a.example", validity: 3600, now: start + 700))
            #expect(after.snapshot.sequence == during.snapshot.sequence + 1)
            #expect(throws: BlocklistFeedRejection.self) {
                try BlocklistFeedVerifier.snapshot(
                    after.envelope, trustedKeys: [old.publicKey], last: nil, now: start + 700)
            }
        },
        ConformanceCheck("the change log lists added, changed and retracted own entries") {
            (store: any BlocklistFeedStore & BlocklistStore) async throws in
            try await store.save(DomainBlock(domain: "bad.example", severity: .silence))
            try await store.save(
                DomainBlock(domain: "relayed.example", provenance: BlockProvenance(origin: .subscription("peer"))))
            try await store.save(DomainBlock(domain: "bad.example", severity: .suspend))
            try await store.retract(domain: "bad.example", provenance: BlockProvenance(origin: .person("admin")))
            try await store.save(DomainBlock(domain: "bad.example", severity: .silence))
            let changes = try await store.changes(after: 0, limit: 100)
            #expect(changes.map(\.kind) == [.added, .changed, .retracted, .added])
            #expect(changes.map(\.block.revision) == [1, 2, 3, 4])
            #expect(changes.map(\.block.severity) == [.silence, .suspend, .suspend, .silence])
            let later = try await store.changes(after: changes[1].cursor, limit: 1)
            #expect(later.map(\.kind) == [.retracted])
        },
        ConformanceCheck("fetch state is kept and goes with the subscription") {
            (store: any BlocklistFeedStore & BlocklistStore) async throws in
            try await store.saveSubscription(BlocklistSubscription(id: "peer", url: "https://b.example/x"))
            let state = BlocklistFetchState(
                subscriptionID: "peer", etag: "\"abc\"", lastModified: "Mon, 07 Dec 2026 10:00:00 GMT",
                checkpoint: BlocklistFeedCheckpoint(sequence: 4, sha256: "ff"), lastAttempt: start,
                lastSuccess: start, lastError: nil, entryCount: 3)
            try await store.saveFetchState(state)
            #expect(try await store.fetchState(subscriptionID: "peer") == state)
            try await store.removeSubscription(id: "peer")
            #expect(try await store.fetchState(subscriptionID: "peer") == BlocklistFetchState(subscriptionID: "peer"))
        },
    ]
}
