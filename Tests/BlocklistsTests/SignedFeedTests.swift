import Blocklists
import Foundation
import Testing

@Suite("Signed feed")
struct SignedFeedTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    let key = BlocklistSigningKey.generate(now: start)

    /// Snapshots 1...count of a chain, each with one more entry.
    func chain(_ count: Int, key: BlocklistSigningKey? = nil, validity: TimeInterval = 86_400) -> [(
        BlocklistSnapshot, Data
    )] {
        let key = key ?? self.key
        var history: [BlocklistFeedCheckpoint] = []
        var result: [(BlocklistSnapshot, Data)] = []
        for sequence in 1...count {
            let issued = Self.start.addingTimeInterval(Double(sequence) * 60)
            let entries = (1...sequence).map { DomainBlock(domain: "bad\($0).example", reasons: [.spam]) }
            let snapshot = BlocklistSnapshot(
                publisher: "a.example", sequence: sequence, history: history, issuedAt: issued,
                expiresAt: issued.addingTimeInterval(validity), keyID: key.id, entries: entries)
            history.insert(snapshot.checkpoint, at: 0)
            result.append((snapshot, snapshot.signed(with: [key]).encoded))
        }
        return result
    }

    func reason(_ body: () throws(BlocklistFeedRejection) -> Void) -> BlocklistFeedRejection.Reason? {
        do throws(BlocklistFeedRejection) {
            try body()
            return nil
        } catch {
            return error.reason
        }
    }

    var now: Date { Self.start.addingTimeInterval(3600) }

    @Test func aSignedSnapshotVerifiesAndCarriesItsEntriesAndChain() throws {
        let snapshots = chain(2)
        let first = try BlocklistFeedVerifier.snapshot(
            snapshots[0].1, trustedKeys: [key.publicKey], last: nil, now: now,
            provenance: BlockProvenance(origin: .subscription("a")))
        #expect(first.sequence == 1)
        #expect(first.previousSHA256 == nil)
        #expect(first.entries.map(\.domain) == ["bad1.example"])
        #expect(first.entries.first?.provenance?.origin == .subscription("a"))
        let second = try BlocklistFeedVerifier.snapshot(
            snapshots[1].1, trustedKeys: [key.publicKey], last: first.checkpoint, now: now)
        #expect(second.previousSHA256 == first.checkpoint.sha256)
        #expect(second.entries.count == 2)
    }

    @Test func changedBytesAreTampering() throws {
        let (_, bytes) = chain(1)[0]
        var envelope = try SignedEnvelope(decoding: bytes)
        var text = String(decoding: envelope.payload, as: UTF8.self)
        text = text.replacingOccurrences(of: "bad1.example", with: "good.example")
        envelope.payload = Data(text.utf8)
        #expect(
            reason { () throws(BlocklistFeedRejection) in
                _ = try BlocklistFeedVerifier.snapshot(
                    envelope.encoded, trustedKeys: [key.publicKey], last: nil, now: now)
            } == .badSignature)
    }

    @Test func aKeyTheSubscriptionDoesNotTrustIsRefused() {
        let (_, bytes) = chain(1)[0]
        let other = BlocklistSigningKey.generate()
        #expect(
            reason { () throws(BlocklistFeedRejection) in
                _ = try BlocklistFeedVerifier.snapshot(bytes, trustedKeys: [other.publicKey], last: nil, now: now)
            } == .unknownKey)
    }

    @Test func olderOrSameSequenceIsRollbackOrReplay() throws {
        let snapshots = chain(3)
        let last = snapshots[1].0.checkpoint
        #expect(
            reason { () throws(BlocklistFeedRejection) in
                _ = try BlocklistFeedVerifier.snapshot(
                    snapshots[0].1, trustedKeys: [key.publicKey], last: last, now: now)
            } == .rollback)
        #expect(
            reason { () throws(BlocklistFeedRejection) in
                _ = try BlocklistFeedVerifier.snapshot(
                    snapshots[1].1, trustedKeys: [key.publicKey], last: last, now: now)
            } == .replay)
    }

    @Test func aSkippedSequenceMustLeadBackThroughTheHistory() throws {
        let snapshots = chain(4)
        // Skipping 2 and 3 is fine: snapshot 4 names snapshot 1's hash.
        let fourth = try BlocklistFeedVerifier.snapshot(
            snapshots[3].1, trustedKeys: [key.publicKey], last: snapshots[0].0.checkpoint, now: now)
        #expect(fourth.sequence == 4)
        // A different snapshot 1 than the one this chain names: a fork.
        let forked = BlocklistFeedCheckpoint(sequence: 1, sha256: String(repeating: "0", count: 64))
        #expect(
            reason { () throws(BlocklistFeedRejection) in
                _ = try BlocklistFeedVerifier.snapshot(
                    snapshots[3].1, trustedKeys: [key.publicKey], last: forked, now: now)
            } == .gap)
        // A chain that does not reach back that far.
        let restarted = chain(1)[0]
        #expect(
            reason { () throws(BlocklistFeedRejection) in
                _ = try BlocklistFeedVerifier.snapshot(
                    restarted.1, trustedKeys: [key.publicKey], last: BlocklistFeedCheckpoint(sequence: 0, sha256: "x"),
                    now: now)
            } == .gap)
    }

    @Test func anExpiredSnapshotIsStale() {
        let (_, bytes) = chain(1, validity: 600)[0]
        #expect(
            reason { () throws(BlocklistFeedRejection) in
                _ = try BlocklistFeedVerifier.snapshot(bytes, trustedKeys: [key.publicKey], last: nil, now: now)
            } == .expired)
    }

    @Test(arguments: ["", "{}", "[1]", "{\"payload\":\"bm90IGpzb24=\",\"signatures\":[]}"])
    func garbageIsMalformed(text: String) {
        let result = reason { () throws(BlocklistFeedRejection) in
            _ = try BlocklistFeedVerifier.snapshot(Data(text.utf8), trustedKeys: [key.publicKey], last: nil, now: now)
        }
        // An envelope with no signature by a trusted key fails on the key before its payload is read.
        #expect(result == .malformed || (text.contains("payload") && result == .unknownKey))
    }

    @Test func aSignedPayloadThatIsNotASnapshotIsMalformed() {
        let envelope = SignedEnvelope(signing: Data("{\"format\":\"other\"}".utf8), with: [key])
        #expect(
            reason { () throws(BlocklistFeedRejection) in
                _ = try BlocklistFeedVerifier.snapshot(
                    envelope.encoded, trustedKeys: [key.publicKey], last: nil, now: now)
            } == .malformed)
    }

    @Test func duringTheOverlapEitherKeyVerifies() throws {
        let newKey = BlocklistSigningKey.generate()
        let (snapshot, _) = chain(1, key: newKey)[0]
        let both = snapshot.signed(with: [newKey, key]).encoded
        for trusted in [key.publicKey, newKey.publicKey] {
            #expect(try BlocklistFeedVerifier.snapshot(both, trustedKeys: [trusted], last: nil, now: now).sequence == 1)
        }
    }

    @Test func aDetachedSignatureCoversTheFileAndTheSnapshotsPlace() throws {
        let snapshots = chain(2)
        let csv = Data(BlocklistExport.render(snapshots[1].0.entries, as: .mastodonCSV).utf8)
        let signature = DetachedSignature(file: "blocklist.csv", bytes: csv, of: snapshots[1].0).signed(with: [key])
            .encoded
        let verified = try BlocklistFeedVerifier.detached(
            file: csv, signature: signature, trustedKeys: [key.publicKey], last: snapshots[0].0.checkpoint, now: now)
        #expect(verified.checkpoint == snapshots[1].0.checkpoint)
        var changed = csv
        changed.append(contentsOf: Array("evil.example,suspend,false,false,,false\n".utf8))
        #expect(
            reason { () throws(BlocklistFeedRejection) in
                _ = try BlocklistFeedVerifier.detached(
                    file: changed, signature: signature, trustedKeys: [key.publicKey], last: nil, now: now)
            } == .fileMismatch)
        #expect(
            reason { () throws(BlocklistFeedRejection) in
                _ = try BlocklistFeedVerifier.detached(
                    file: csv, signature: signature, trustedKeys: [key.publicKey], last: snapshots[1].0.checkpoint,
                    now: now)
            } == .replay)
    }

    @Test func thePublishedListLeavesOutWhatCameFromSubscriptions() {
        let ours = DomainBlock(domain: "ours.example", provenance: BlockProvenance(origin: .person("admin")))
        let gone = DomainBlock(domain: "gone.example", state: .retracted)
        let relayed = DomainBlock(domain: "peer.example", provenance: BlockProvenance(origin: .subscription("peer")))
        #expect(
            BlocklistSnapshot.publishable([ours, gone, relayed]).map(\.domain) == ["ours.example", "gone.example"])
    }

    @Test func theSameSnapshotAlwaysHasTheSameBytes() throws {
        let (snapshot, _) = chain(1)[0]
        let read = try BlocklistSnapshot(payload: snapshot.payload)
        #expect(read.payload == snapshot.payload)
    }
}
